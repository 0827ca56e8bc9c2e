package verso.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

final class NamesTest {
    private static int byUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void compare_ordersAsUtf8Bytes() {
        List<String> names = List.of("", "a", "ab", "b", "B", "a.txt", "a-b", "z", "é", "eé", "e", "ef", "\u007f",
                "\u0080", "日本", "日", "\uD83D\uDE00", "\uFFFD", "\uE000", "x\uD83D\uDE00", "x\uFFFF", "f00001.bin",
                "f00010.bin");
        for (String a : names) {
            for (String b : names) {
                assertEquals(Integer.signum(byUtf8(a, b)), Integer.signum(Names.compare(a, b)), a + " vs " + b);
            }
        }
    }

    @Test
    void compare_ordersRandomNamesAsUtf8Bytes() {
        Random random = new Random(3);
        char[] alphabet = {'a', 'b', '.', '~', '\u00e9', '\u4e00', '\uD83D', '\uE000', '\uFFFF'};
        for (int i = 0; i < 20_000; i++) {
            String a = random(random, alphabet);
            String b = random(random, alphabet);
            assertEquals(Integer.signum(byUtf8(a, b)), Integer.signum(Names.compare(a, b)), a + " vs " + b);
        }
    }

    @Test
    void ordersAsString_onlyWhereStringOrderIsUtf8Order() {
        Random random = new Random(5);
        char[] alphabet = {'a', 'b', '.', '~', '\u00e9', '\u4e00', '\uD83D', '\uE000', '\uFFFF'};
        int checked = 0;
        for (int i = 0; i < 20_000; i++) {
            String a = random(random, alphabet);
            String b = random(random, alphabet);
            if (Names.ordersAsString(a) && Names.ordersAsString(b)) {
                assertEquals(Integer.signum(byUtf8(a, b)), Integer.signum(a.compareTo(b)), a + " vs " + b);
                checked++;
            }
        }
        assertTrue(checked > 1000, "pairs without surrogates: " + checked);
        // where it says no, String order is indeed wrong: a surrogate pair sorts below U+E000 as UTF-16
        assertFalse(Names.ordersAsString("\uD83D\uDE00"));
        assertTrue("\uD83D\uDE00".compareTo("\uE000") < 0 && byUtf8("\uD83D\uDE00", "\uE000") > 0);
    }

    private static String random(Random random, char[] alphabet) {
        StringBuilder s = new StringBuilder();
        int n = random.nextInt(6);
        for (int i = 0; i < n; i++) {
            char c = alphabet[random.nextInt(alphabet.length)];
            s.append(c == '\uD83D' ? "\uD83D\uDE00" : String.valueOf(c));
        }
        return s.toString();
    }
}
