package verso.fs.jnr;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import verso.fs.CatalogRefresher;
import verso.fs.DirCatalog;
import verso.fs.MountOptions;
import verso.fs.StoreContentSource;
import verso.fs.VersoFileSystem;
import verso.store.Hashing;
import verso.store.ObjectStore;

/**
 * A mount daemon for the integration tests: {@code META MOUNTPOINT [--allow-other] [--check PATH]}
 * serves the repository directory META (versions, tags, cache) in the foreground; with
 * {@code --check}, it mounts, prints the SHA-256 of PATH read through the mount, and unmounts.
 */
public final class TestMountMain {
    private TestMountMain() {
    }

    public static void main(String[] args) throws Exception {
        Path meta = Path.of(args[0]);
        Path mnt = Path.of(args[1]);
        List<String> rest = List.of(args).subList(2, args.length);
        MountOptions options = MountOptions.defaults().withAllowOther(rest.contains("--allow-other"));
        DirCatalog catalog = new DirCatalog(meta);
        catalog.refresh();
        VersoFileSystem fs = new VersoFileSystem(catalog, new StoreContentSource(new ObjectStore(meta.resolve("cache"))));
        int check = rest.indexOf("--check");
        if (check >= 0) {
            try (FuseMount m = FuseMount.mount(fs, mnt, options)) {
                var md = Hashing.sha256();
                try (InputStream in = Files.newInputStream(mnt.resolve(rest.get(check + 1)))) {
                    byte[] buf = new byte[65536];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        md.update(buf, 0, n);
                    }
                }
                System.out.println("sha256 " + HexFormat.of().formatHex(md.digest()));
            }
            return;
        }
        try (CatalogRefresher r = new CatalogRefresher(catalog, Duration.ofMillis(200))) {
            FuseMount.serve(fs, mnt, options, () -> System.out.println("ready " + mnt), () -> "test=1");
        }
    }
}
