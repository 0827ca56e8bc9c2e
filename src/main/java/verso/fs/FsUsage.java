package verso.fs;

/**
 * What statfs reports: the logical bytes and files of every version (nothing is free: the
 * filesystem is read-only), the block size used to express them, and the longest name.
 */
public record FsUsage(int blockSize, long totalBytes, long totalFiles, int nameMax) {
}
