package verso.dvc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

final class DvcFilesTest {
    private static final String A = "3b0be6a0767165ff41569bed711a08fc";
    private static final String B = "40aa56cc28d50937abdcc10b540f0403";

    private static List<DvcOut> parse(String file, String yaml) throws DvcException {
        return DvcFiles.parse(file, yaml.getBytes(StandardCharsets.UTF_8), "commit abc1234");
    }

    @Test
    void parse_dvc3DirectoryOutput() throws Exception {
        List<DvcOut> outs = parse("datasets.dvc", """
                outs:
                - md5: 3b0be6a0767165ff41569bed711a08fc.dir
                  size: 92160000
                  nfiles: 2
                  hash: md5
                  path: datasets
                """);
        assertEquals(List.of(new DvcOut("datasets", A, true, 92160000, 2, false, false, "datasets.dvc")), outs);
        assertEquals(A + ".dir", outs.get(0).objectName());
    }

    @Test
    void parse_dvc2FileInSubfolder_isLegacyAndRelativeToTheFile() throws Exception {
        List<DvcOut> outs = parse("data/raw/data.xml.dvc", """
                outs:
                - md5: 40aa56cc28d50937abdcc10b540f0403
                  size: 14445097
                  isexec: true
                  path: data.xml
                """);
        DvcOut o = outs.get(0);
        assertEquals("data/raw/data.xml", o.path());
        assertTrue(o.legacy());
        assertTrue(o.executable());
        assertFalse(o.dir());
        assertEquals(1, o.nfiles());
    }

    @Test
    void parse_wdirAndDotDot_normalizedInsideTheProject() throws Exception {
        List<DvcOut> outs = parse("a/b/x.dvc", "wdir: ..\nouts:\n- md5: " + A + "\n  path: ./c/../d\n");
        assertEquals("a/d", outs.get(0).path());
    }

    @Test
    void parse_lockStages_everyStagesOutputs() throws Exception {
        List<DvcOut> outs = parse("pipe/dvc.lock", """
                schema: '2.0'
                stages:
                  prepare:
                    cmd: python src/prepare.py data/data.xml
                    deps:
                    - path: data/data.xml
                      md5: 40aa56cc28d50937abdcc10b540f0403
                      size: 14445097
                    outs:
                    - path: data/prepared
                      md5: 3b0be6a0767165ff41569bed711a08fc.dir
                      size: 8437363
                      nfiles: 2
                      hash: md5
                  train:
                    cmd: python train.py
                    outs:
                    - path: model.pkl
                      md5: 40aa56cc28d50937abdcc10b540f0403
                      size: 10
                    - path: metrics.json
                      md5: 40aa56cc28d50937abdcc10b540f0403
                      cache: false
                """);
        assertEquals(List.of("pipe/data/prepared", "pipe/model.pkl"), outs.stream().map(DvcOut::path).toList());
        assertTrue(outs.get(0).dir());
        assertEquals(B, outs.get(1).md5());
    }

    @Test
    void parse_dvc1LockWithoutStagesKey() throws Exception {
        List<DvcOut> outs = parse("dvc.lock", "train:\n  cmd: x\n  outs:\n  - path: m.bin\n    md5: " + A + "\n");
        assertEquals("m.bin", outs.get(0).path());
    }

    @Test
    void parse_emptyFileAndNoOuts_nothing() throws Exception {
        assertEquals(List.of(), parse("x.dvc", ""));
        assertEquals(List.of(), parse("x.dvc", "deps:\n- path: http://example.com/x\n"));
    }

    @Test
    void parse_hostilePaths_refusedWithCommitAndFile() {
        for (String path : List.of("../x", "/etc/passwd", "a//b", "../../x", ".git/config", ".dvc/config", ".verso/head",
                ".", "a\\\\b", "C:/x")) {
            DvcException e = assertThrows(DvcException.class,
                    () -> parse("x.dvc", "outs:\n- md5: " + A + "\n  path: \"" + path + "\"\n"), path);
            assertTrue(e.getMessage().startsWith("commit abc1234: x.dvc names path "), e.getMessage());
            assertTrue(e.getMessage().contains("refused"), e.getMessage());
        }
    }

    @Test
    void parse_badValues_oneLineEach() {
        assertThrows(DvcException.class, () -> parse("x.dvc", "outs:\n- md5: nothex\n  path: a\n"));
        assertThrows(DvcException.class, () -> parse("x.dvc", "outs:\n- path: a\n"));
        assertThrows(DvcException.class, () -> parse("x.dvc", "outs:\n- md5: " + A + "\n"));
        assertThrows(DvcException.class, () -> parse("x.dvc", "outs:\n- etag: abc\n  hash: etag\n  md5: " + A
                + "\n  path: a\n"));
        assertThrows(DvcException.class, () -> parse("x.dvc", "outs: [\n"));
        assertThrows(DvcException.class, () -> parse("x.dvc", "- a\n- b\n"));
        assertThrows(DvcException.class, () -> parse("x.dvc", "outs: 3\n"));
        DvcException dup = assertThrows(DvcException.class, () -> parse("x.dvc", "outs: []\nouts: []\n"));
        assertTrue(dup.getMessage().startsWith("commit abc1234: x.dvc is not valid YAML"), dup.getMessage());
    }

    @Test
    void declaresOuts_dvcFilesAndLocksOutsideDotDvc() {
        assertTrue(DvcFiles.declaresOuts("datasets.dvc"));
        assertTrue(DvcFiles.declaresOuts("a/b/dvc.lock"));
        assertFalse(DvcFiles.declaresOuts(".dvc"));
        assertFalse(DvcFiles.declaresOuts(".dvc/config"));
        assertFalse(DvcFiles.declaresOuts("a/.dvc"));
        assertFalse(DvcFiles.declaresOuts("dvc.yaml"));
    }
}
