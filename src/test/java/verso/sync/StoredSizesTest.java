package verso.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import verso.store.ObjectId;
import verso.store.ObjectStore;

final class StoredSizesTest {
    @TempDir
    Path dir;

    @Test
    void sizes_giveEachObjectsSizeInTheOrderAdded_andMinusOneForMissingOnes() throws IOException {
        ObjectStore store = new ObjectStore(dir).create();
        List<ObjectId> ids = new ArrayList<>();
        List<Long> expected = new ArrayList<>();
        // more than two batches, the last one short
        for (int i = 0; i < StoredSizes.BATCH * 2 + 5; i++) {
            ids.add(store.insert(("object " + i + " ").repeat(1 + i % 13).getBytes(StandardCharsets.UTF_8)));
            expected.add(store.size(ids.get(i)));
        }
        int gone = StoredSizes.BATCH + 3;
        Files.delete(store.pathOf(ids.get(gone)));
        expected.set(gone, -1L);
        List<Long> got = new ArrayList<>();
        try (StoredSizes sizes = new StoredSizes(store)) {
            ids.forEach(sizes::add);
            sizes.sizes(got::add);
            assertEquals(expected, got);
            // a second round gives only what was added since
            got.clear();
            sizes.add(ids.get(0));
            sizes.sizes(got::add);
            assertEquals(List.of(expected.get(0)), got);
        }
    }
}
