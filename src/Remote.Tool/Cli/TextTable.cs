using System.Text;

namespace DotnetRemote.Tool.Cli;

/// <summary>
/// Go's <c>text/tabwriter</c> as Apptainer uses it (minwidth 0, padding 2, spaces): each cell but a line's last is
/// padded to its column's widest cell + 2; widths count code points, so ✓ and 🔒 are one column wide.
/// </summary>
internal sealed class TextTable
{
    private readonly List<string[]> _rows = [];

    public TextTable Row(params string[] cells)
    {
        _rows.Add(cells);
        return this;
    }

    public void WriteTo(TextWriter writer)
    {
        var widths = new List<int>();
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length - 1; i++)
            {
                if (widths.Count <= i)
                {
                    widths.Add(0);
                }

                widths[i] = Math.Max(widths[i], Width(row[i]));
            }
        }

        var line = new StringBuilder();
        foreach (var row in _rows)
        {
            line.Clear();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(row[i]);
                if (i < row.Length - 1)
                {
                    line.Append(' ', widths[i] + 2 - Width(row[i]));
                }
            }

            writer.Write(line.Append('\n'));
        }
    }

    private static int Width(string cell) => cell.EnumerateRunes().Count();
}
