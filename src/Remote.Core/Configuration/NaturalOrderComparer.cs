using System.Text;

namespace DotnetRemote.Core.Configuration;

/// <summary>
/// The key order go-yaml writes maps in (its <c>keyList.Less</c>), so files we write sort remotes as Apptainer
/// does: runs of digits compare numerically, a letter sorts after a non-letter, otherwise code points compare.
/// </summary>
internal sealed class NaturalOrderComparer : IComparer<string>
{
    public static readonly NaturalOrderComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        x ??= "";
        y ??= "";
        return Less(x, y) ? -1 : Less(y, x) ? 1 : 0;
    }

    /// <summary>gopkg.in/yaml.v2 2.4.0's keyList.Less for two strings, over code points (Go compares runes).</summary>
    private static bool Less(string x, string y)
    {
        var a = x.EnumerateRunes().ToArray();
        var b = y.EnumerateRunes().ToArray();
        for (var i = 0; i < a.Length && i < b.Length; i++)
        {
            if (a[i] == b[i])
            {
                continue;
            }

            var aLetter = Rune.IsLetter(a[i]);
            var bLetter = Rune.IsLetter(b[i]);
            if (aLetter && bLetter)
            {
                return a[i].Value < b[i].Value;
            }

            if (aLetter || bLetter)
            {
                return bLetter;
            }

            long aNumber = 0, bNumber = 0;
            if (a[i].Value == '0' || b[i].Value == '0')
            {
                for (var j = i - 1; j >= 0 && Rune.IsDigit(a[j]); j--)
                {
                    if (a[j].Value != '0')
                    {
                        aNumber = 1;
                        bNumber = 1;
                        break;
                    }
                }
            }

            int aEnd, bEnd;
            for (aEnd = i; aEnd < a.Length && Rune.IsDigit(a[aEnd]); aEnd++)
            {
                aNumber = unchecked((aNumber * 10) + (a[aEnd].Value - '0'));
            }

            for (bEnd = i; bEnd < b.Length && Rune.IsDigit(b[bEnd]); bEnd++)
            {
                bNumber = unchecked((bNumber * 10) + (b[bEnd].Value - '0'));
            }

            if (aNumber != bNumber)
            {
                return aNumber < bNumber;
            }

            if (aEnd != bEnd)
            {
                return aEnd < bEnd;
            }

            return a[i].Value < b[i].Value;
        }

        return a.Length < b.Length;
    }
}
