package verso;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every source file's imports are static ones first, then the others, each group sorted by name,
 * and every import is used: the order {@code scripts/sort-imports.py} writes.
 */
final class ImportOrderTest {
    private static final Pattern IMPORT = Pattern.compile("^import (static )?([\\w.]+)\\.(\\w+|\\*);$",
            Pattern.MULTILINE);

    @Test
    void imports_areGroupedSortedAndUsed() throws IOException {
        List<String> problems = new ArrayList<>();
        for (String root : List.of("src/main/java", "src/test/java")) {
            try (Stream<Path> files = Files.walk(Path.of(root))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    check(f, Files.readString(f), problems);
                }
            }
        }
        assertEquals(List.of(), problems, "run scripts/sort-imports.py");
    }

    private static void check(Path file, String source, List<String> problems) {
        List<String> statics = new ArrayList<>();
        List<String> others = new ArrayList<>();
        List<String> order = new ArrayList<>();
        // sorted by the imported name, so that a.B comes before a.B.C
        Matcher m = IMPORT.matcher(source);
        String body = IMPORT.matcher(source).replaceAll("");
        while (m.find()) {
            String imported = m.group(2) + "." + m.group(3);
            order.add(imported);
            (m.group(1) != null ? statics : others).add(imported);
            String name = m.group(3);
            if (!name.equals("*") && !Pattern.compile("\\b" + name + "\\b").matcher(body).find()) {
                problems.add(file + ": unused " + m.group());
            }
        }
        List<String> sorted = new ArrayList<>(statics.stream().sorted().toList());
        sorted.addAll(others.stream().sorted().toList());
        if (!order.equals(sorted)) {
            problems.add(file + ": imports out of order");
        }
    }
}
