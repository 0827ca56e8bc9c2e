package verso.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
