package verso.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * A duration given on the command line: {@code 0}, or a whole number with a unit ({@code s}, {@code m},
 * {@code h}, {@code d}, {@code w}), such as {@code 30m} or {@code 2d}.
 */
final class DurationOption implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*([smhdw]?)");

    @Override
    public Duration convert(String value) {
        Matcher m = DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || (m.group(2).isEmpty() && !m.group(1).matches("0+"))) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; use e.g. 0, 30m, 12h or 2d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            case "w" -> Duration.ofDays(7 * n);
            default -> Duration.ZERO;
        };
    }
}
