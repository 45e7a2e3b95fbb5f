namespace DotnetRemote.Core.Configuration;

/// <summary>
/// The key order go-yaml writes maps in (its <c>keyList.Less</c>), so files we write sort remotes as Apptainer
/// does: runs of digits compare numerically, a letter sorts after a non-letter, otherwise code points compare.
/// </summary>
public sealed class NaturalOrderComparer : IComparer<string>
{
    public static readonly NaturalOrderComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        x ??= "";
        y ??= "";
        return Less(x, y) ? -1 : Less(y, x) ? 1 : 0;
    }

    private static bool Less(string a, string b)
    {
        var digits = false;
        for (var i = 0; i < a.Length && i < b.Length; i++)
        {
            if (a[i] == b[i])
            {
                digits = char.IsAsciiDigit(a[i]);
                continue;
            }

            var aLetter = char.IsLetter(a[i]);
            var bLetter = char.IsLetter(b[i]);
            if (aLetter && bLetter)
            {
                return a[i] < b[i];
            }

            if (aLetter || bLetter)
            {
                return digits ? aLetter : bLetter;
            }

            long aNumber = 0, bNumber = 0;
            if (a[i] == '0' || b[i] == '0')
            {
                for (var j = i - 1; j >= 0 && char.IsAsciiDigit(a[j]); j--)
                {
                    if (a[j] != '0')
                    {
                        aNumber = 1;
                        bNumber = 1;
                        break;
                    }
                }
            }

            int aEnd, bEnd;
            for (aEnd = i; aEnd < a.Length && char.IsAsciiDigit(a[aEnd]); aEnd++)
            {
                aNumber = unchecked((aNumber * 10) + (a[aEnd] - '0'));
            }

            for (bEnd = i; bEnd < b.Length && char.IsAsciiDigit(b[bEnd]); bEnd++)
            {
                bNumber = unchecked((bNumber * 10) + (b[bEnd] - '0'));
            }

            if (aNumber != bNumber)
            {
                return aNumber < bNumber;
            }

            if (aEnd != bEnd)
            {
                return aEnd < bEnd;
            }

            return a[i] < b[i];
        }

        return a.Length < b.Length;
    }
}
