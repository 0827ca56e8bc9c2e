package verso.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A size given on the command line: a number of bytes, or a number with a binary unit
 * ({@code K}, {@code M}, {@code G}, {@code T}; {@code KiB}, {@code MB} and the like mean the same),
 * such as {@code 512M} or {@code 1.5G}.
 */
final class ByteSize implements CommandLine.ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    static long parse(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size; use e.g. 512M or 2G");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * (1L << shift);
        if (bytes >= Long.MAX_VALUE / 2) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        return (long) bytes;
    }

    /** The size in the form {@link #parse} reads back, in whole MiB when exact. */
    static String format(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "G";
        }
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "M";
        }
        return Long.toString(bytes);
    }
}
