using System.Buffers;
using System.Text;
using System.Text.Json;

namespace DotnetRemote.Core.Registries;

/// <summary>
/// Loads from a docker-config file only what a credential lookup reads: the <c>auths</c> entries stored under the
/// given keys, every <c>auths</c> key written with a scheme (the legacy keys a registry lookup may fall back to, in file
/// order), <c>credHelpers</c> and <c>credsStore</c>. The credential helper runs on every pull and push, and building a
/// JSON tree of a file with thousands of logins to read one of them was most of its work.
/// <para>
/// The answer is a <see cref="DockerConfigFile"/> that answers <see cref="DockerConfigFile.Contains"/>,
/// <see cref="DockerConfigFile.GetEntry"/>, <see cref="DockerConfigFile.HelperFor"/> and
/// <see cref="DockerConfigFile.CredsStore"/> for those keys exactly as the whole file would, and whose
/// <see cref="DockerConfigFile.Keys"/> are the kept keys in file order. The whole file is still checked as
/// <see cref="DockerConfigFile.Load"/> checks it (UTF-8, JSON syntax with comments and trailing commas, duplicate
/// members at any depth, escaped lone surrogates, the shape of <c>auths</c>/<c>credHelpers</c>) in one pass of
/// <see cref="Utf8JsonReader"/> without a tree; a file that fails any check is handed to
/// <see cref="DockerConfigFile.Load"/>, which gives the error (file, line, message) as it always has. The file is read
/// by the loader's own <see cref="DockerConfigFile.ReadBytes"/>, so a file that cannot be read is the loader's error too.
/// </para>
/// </summary>
internal static class DockerConfigLookup
{
    private static readonly JsonReaderOptions ReaderOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>As <see cref="DockerConfigFile.Load"/>, keeping only what a lookup of <paramref name="keys"/> reads.</summary>
    public static DockerConfigFile Load(string path, IReadOnlyList<string> keys)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(keys);

        // The loader's read: a pending apply finished first, a missing file empty, a read failure its error.
        if (DockerConfigFile.ReadBytes(path) is not { } utf8)
        {
            return DockerConfigFile.Parse(path, "");
        }

        return Select(utf8, keys) is { } selected ? DockerConfigFile.Parse(path, selected) : DockerConfigFile.Load(path);
    }

    /// <summary>
    /// The JSON text of a docker-config holding only what a lookup of <paramref name="keys"/> reads (see the class), or
    /// null when the file fails a check or is shaped in a way this scan leaves to the whole loader.
    /// </summary>
    internal static string? Select(ReadOnlySpan<byte> utf8, IReadOnlyList<string> keys)
    {
        if (utf8.StartsWith("\uFEFF"u8))
        {
            utf8 = utf8[3..];
        }

        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
        {
            return "";
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return null;
        }

        var wanted = keys.Select(Encoding.UTF8.GetBytes).ToArray();
        try
        {
            return new Scan(wanted).Run(utf8);
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate (GetString), which the strict parser refuses.
            return null;
        }
    }

    /// <summary>One pass over the file: validates as <see cref="IO.StrictJson"/> does and copies the wanted parts.</summary>
    private sealed class Scan(byte[][] wanted)
    {
        // The objects and arrays being read, innermost last, and the member names of the objects (a duplicate is refused).
        private Frame[] _frames = new Frame[16];
        private int _depth;
        private Name[] _names = new Name[64];
        private int _nameCount;
        private byte[] _nameBytes = new byte[256];
        private int _nameBytesLength;

        // The selected members (without the document's braces) and the selected auths entries (without auths' braces).
        private readonly ArrayBufferWriter<byte> _output = new(256);
        private readonly ArrayBufferWriter<byte> _auths = new(256);

        private enum Member
        {
            Other,
            Auths,
            CredHelpers,
            CredsStore,
        }

        public string? Run(ReadOnlySpan<byte> utf8)
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            var rootIsObject = false;
            var first = true;
            var member = Member.Other;
            var inAuths = false;
            var keep = false;
            var keptName = ReadOnlySpan<byte>.Empty;

            // The value being copied: where it starts, the depth of its first token, and where it goes.
            var captureStart = -1L;
            var captureDepth = -1;
            var captureMember = Member.Other;
            while (reader.Read())
            {
                var token = reader.TokenType;
                var depth = reader.CurrentDepth;
                if (first)
                {
                    first = false;
                    rootIsObject = token == JsonTokenType.StartObject;
                }

                switch (token)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Push();
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        Pop();
                        break;
                    case JsonTokenType.PropertyName:
                        var name = AddName(ref reader, utf8);
                        if (depth == 1)
                        {
                            member = name.SequenceEqual("auths"u8) ? Member.Auths
                                : name.SequenceEqual("credHelpers"u8) ? Member.CredHelpers
                                : name.SequenceEqual("credsStore"u8) ? Member.CredsStore
                                : Member.Other;
                        }
                        else if (depth == 2 && inAuths)
                        {
                            keep = IsWanted(name);
                            keptName = keep ? utf8.Slice((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2) : default;
                        }

                        continue;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        // Refuses an escaped lone surrogate, as the strict parser does.
                        _ = reader.GetString();
                        break;
                }

                if (!rootIsObject)
                {
                    continue;
                }

                var isEnd = token is JsonTokenType.EndObject or JsonTokenType.EndArray;
                var isStart = token is JsonTokenType.StartObject or JsonTokenType.StartArray;
                if (!isEnd && captureStart < 0)
                {
                    // The first token of a value: a top-level member's (depth 1) or, inside auths, an entry's (depth 2).
                    if (depth == 1 && member == Member.Auths)
                    {
                        if (token == JsonTokenType.StartObject)
                        {
                            inAuths = true;
                        }
                        else if (token != JsonTokenType.Null)
                        {
                            return null;
                        }
                    }
                    else if (depth == 1 && member is Member.CredHelpers or Member.CredsStore)
                    {
                        if (member == Member.CredHelpers && token is not (JsonTokenType.StartObject or JsonTokenType.Null))
                        {
                            return null;
                        }

                        (captureStart, captureDepth, captureMember) = (reader.TokenStartIndex, depth, member);
                    }
                    else if (depth == 2 && inAuths && keep)
                    {
                        (captureStart, captureDepth, captureMember) = (reader.TokenStartIndex, depth, Member.Auths);
                    }
                }

                if (captureStart >= 0 && depth == captureDepth && !isStart)
                {
                    var value = utf8[(int)captureStart..(int)reader.BytesConsumed];
                    if (captureMember == Member.Auths)
                    {
                        AddEntry(keptName, value);
                    }
                    else
                    {
                        AddMember(captureMember == Member.CredHelpers ? "\"credHelpers\""u8 : "\"credsStore\""u8, value);
                    }

                    captureStart = -1;
                }

                if (isEnd && depth == 1 && inAuths)
                {
                    inAuths = false;
                }
            }

            if (!rootIsObject)
            {
                return null;
            }

            if (_auths.WrittenCount > 0)
            {
                AddMember("\"auths\""u8, [(byte)'{', .. _auths.WrittenSpan, (byte)'}']);
            }

            return "{" + Encoding.UTF8.GetString(_output.WrittenSpan) + "}";
        }

        private bool IsWanted(ReadOnlySpan<byte> name)
        {
            // Every key with a scheme: a legacy key (https://host/v2/) may serve a registry lookup.
            if (name.StartsWith("https://"u8) || name.StartsWith("http://"u8))
            {
                return true;
            }

            foreach (var key in wanted)
            {
                if (name.SequenceEqual(key))
                {
                    return true;
                }
            }

            return false;
        }

        private void AddMember(ReadOnlySpan<byte> quotedName, ReadOnlySpan<byte> value) => AppendMember(_output, quotedName, value);

        private void AddEntry(ReadOnlySpan<byte> quotedName, ReadOnlySpan<byte> value) => AppendMember(_auths, quotedName, value);

        /// <summary>Writes <c>"name":value</c> to an object's members, after a comma unless it is the first.</summary>
        private static void AppendMember(ArrayBufferWriter<byte> members, ReadOnlySpan<byte> quotedName, ReadOnlySpan<byte> value)
        {
            if (members.WrittenCount > 0)
            {
                members.Write(","u8);
            }

            members.Write(quotedName);
            members.Write(":"u8);
            members.Write(value);
        }

        private void Push()
        {
            if (_depth == _frames.Length)
            {
                Array.Resize(ref _frames, _frames.Length * 2);
            }

            _frames[_depth++] = new Frame { FirstName = _nameCount, FirstByte = _nameBytesLength };
        }

        private void Pop()
        {
            var frame = _frames[--_depth];
            _nameCount = frame.FirstName;
            _nameBytesLength = frame.FirstByte;
            _frames[_depth] = default;
        }

        /// <summary>Records a member name in its object, refusing a duplicate; returns the name's unescaped UTF-8.</summary>
        private ReadOnlySpan<byte> AddName(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8)
        {
            // Unescaped, a name's UTF-8 is its string (the file is valid UTF-8), so names compare as bytes and stay
            // where they are in the file; an escaped name is unescaped into a buffer of its own.
            int offset;
            int length;
            if (reader.ValueIsEscaped)
            {
                var unescaped = Encoding.UTF8.GetBytes(reader.GetString()!);
                if (_nameBytesLength + unescaped.Length > _nameBytes.Length)
                {
                    Array.Resize(ref _nameBytes, Math.Max(_nameBytes.Length * 2, _nameBytesLength + unescaped.Length));
                }

                unescaped.CopyTo(_nameBytes.AsSpan(_nameBytesLength));
                offset = ~_nameBytesLength;
                length = unescaped.Length;
                _nameBytesLength += length;
            }
            else
            {
                offset = (int)reader.TokenStartIndex + 1;
                length = reader.ValueSpan.Length;
            }

            var name = offset >= 0 ? utf8.Slice(offset, length) : _nameBytes.AsSpan(~offset, length);
            var hash = Hash(name);
            ref var frame = ref _frames[_depth - 1];
            var count = _nameCount - frame.FirstName;
            if (count >= 8)
            {
                // A large object (auths of a file with many logins): an open-addressing table of this object's names.
                if (frame.Table is null || (count + 1) * 2 > frame.Table.Length)
                {
                    frame.Table = new int[Math.Max(32, frame.Table is null ? 32 : frame.Table.Length * 2)];
                    for (var i = frame.FirstName; i < _nameCount; i++)
                    {
                        Insert(frame.Table, i);
                    }
                }

                var mask = frame.Table.Length - 1;
                for (var slot = (int)hash & mask; frame.Table[slot] != 0; slot = (slot + 1) & mask)
                {
                    if (Same(frame.Table[slot] - 1, hash, name, utf8))
                    {
                        throw new JsonException("duplicate member");
                    }
                }
            }
            else
            {
                for (var i = frame.FirstName; i < _nameCount; i++)
                {
                    if (Same(i, hash, name, utf8))
                    {
                        throw new JsonException("duplicate member");
                    }
                }
            }

            if (_nameCount == _names.Length)
            {
                Array.Resize(ref _names, _names.Length * 2);
            }

            _names[_nameCount] = new Name(offset, length, hash);
            if (frame.Table is not null)
            {
                Insert(frame.Table, _nameCount);
            }

            _nameCount++;
            return name;
        }

        private bool Same(int index, ulong hash, ReadOnlySpan<byte> name, ReadOnlySpan<byte> utf8)
        {
            var other = _names[index];
            return other.Hash == hash && (other.Offset >= 0 ? utf8.Slice(other.Offset, other.Length) : _nameBytes.AsSpan(~other.Offset, other.Length)).SequenceEqual(name);
        }

        private void Insert(int[] table, int index)
        {
            var mask = table.Length - 1;
            var slot = (int)_names[index].Hash & mask;
            while (table[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            table[slot] = index + 1;
        }

        // FNV-1a over 8-byte words, then a final mix (names differ in a few bytes; the table index takes the low bits).
        private static ulong Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = 14695981039346656037UL ^ (ulong)bytes.Length;
            while (bytes.Length >= 8)
            {
                hash = (hash ^ System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes)) * 1099511628211UL;
                bytes = bytes[8..];
            }

            foreach (var b in bytes)
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            // Murmur3's finalizer: every bit of the table index depends on every byte of the name.
            hash = (hash ^ (hash >> 33)) * 0xff51afd7ed558ccdUL;
            hash = (hash ^ (hash >> 33)) * 0xc4ceb9fe1a85ec53UL;
            return hash ^ (hash >> 33);
        }

        private struct Frame
        {
            public int FirstName;
            public int FirstByte;

            // Built once the object has more than a few members: 1 + index into the names, 0 for a free slot.
            public int[]? Table;
        }

        private readonly record struct Name(int Offset, int Length, ulong Hash);
    }
}
