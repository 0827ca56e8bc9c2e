package verso.dvc;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** DVC's object names: the MD5 of the content, 32 lowercase hex digits. */
final class Md5 {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{32}");

    private Md5() {
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available in this JVM", e);
        }
    }

    static boolean isValid(String s) {
        return s != null && HEX.matcher(s).matches();
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    static String of(byte[] data) {
        return hex(digest().digest(data));
    }
}
