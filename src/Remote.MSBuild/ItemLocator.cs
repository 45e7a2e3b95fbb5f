using System.Xml;

namespace DotnetRemote.MSBuild;

/// <summary>
/// Finds the line of an item's element in a project file, for error locations: MSBuild does not give a task its
/// items' lines, so the project file is read (only when something is reported) and the element of that item type
/// whose <c>Include</c> is the item's spec, or else the only element of that type, is taken. 0 when not found.
/// </summary>
internal static class ItemLocator
{
    public static int Line(string? projectFile, string itemType, string itemSpec)
    {
        if (string.IsNullOrEmpty(projectFile) || !File.Exists(projectFile))
        {
            return 0;
        }

        try
        {
            var lines = new List<(int Line, string Include)>();
            using var reader = XmlReader.Create(projectFile, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == itemType)
                {
                    lines.Add((((IXmlLineInfo)reader).LineNumber, reader.GetAttribute("Include") ?? ""));
                }
            }

            var exact = lines.Where(l => string.Equals(l.Include, itemSpec, StringComparison.Ordinal)).ToList();
            return exact.Count == 1 ? exact[0].Line : lines.Count == 1 ? lines[0].Line : 0;
        }
        catch (Exception ex) when (ex is XmlException or IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
