package verso.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

final class ByteSizeTest {
    @Test
    void parse_unitsAreBinary_caseAndSuffixIgnored() {
        assertEquals(512L << 20, ByteSize.parse("512M"));
        assertEquals(512L << 20, ByteSize.parse("512mib"));
        assertEquals(2L << 30, ByteSize.parse("2G"));
        assertEquals(3L << 29, ByteSize.parse("1.5GB"));
        assertEquals(4096, ByteSize.parse("4k"));
        assertEquals(1000, ByteSize.parse("1000"));
    }

    @Test
    void parse_nonsense_isAConversionError() {
        for (String bad : new String[] {"", "M", "-1M", "12X", "1e3", "99999999999T"}) {
            assertThrows(CommandLine.TypeConversionException.class, () -> ByteSize.parse(bad), bad);
        }
    }

    @Test
    void format_readsBack() {
        for (long n : new long[] {16L << 20, 3L << 30, 12345}) {
            assertEquals(n, ByteSize.parse(ByteSize.format(n)));
        }
    }
}
