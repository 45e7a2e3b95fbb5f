using System.Runtime.Versioning;

// The tests check Unix file modes, symbolic links and uids: they run on Linux (as Apptainer does).
[assembly: UnsupportedOSPlatform("windows")]
