Console.WriteLine("Built with the remotes and logins declared in SampleApp.csproj.");
