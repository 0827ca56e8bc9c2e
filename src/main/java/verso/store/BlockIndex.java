package verso.store;

import java.util.ArrayList;
import java.util.List;

/**
 * The blocks of a file larger than one block: the block size and the id of each block, in order.
 * Every block is a blob of its own, so each block read from anywhere is verified on its own, and
 * versions that share blocks share storage.
 */
public record BlockIndex(int blockSize, long size, List<ObjectId> blocks) {
    public static final String KIND = "blocks";
    public static final int DEFAULT_BLOCK_SIZE = 4 << 20;

    public BlockIndex {
        blocks = List.copyOf(blocks);
        if (blockSize <= 0) {
            throw new IllegalArgumentException("block size must be positive");
        }
        if (blockCount(size, blockSize) != blocks.size()) {
            throw new IllegalArgumentException("a file of " + size + " bytes in blocks of " + blockSize
                    + " needs " + blockCount(size, blockSize) + " blocks, the index has " + blocks.size());
        }
    }

    public static long blockCount(long size, int blockSize) {
        return (size + blockSize - 1) / blockSize;
    }

    /** The length of block {@code i}: the block size, except for the last block. */
    public int blockLength(int i) {
        long start = (long) i * blockSize;
        return (int) Math.min(blockSize, size - start);
    }

    public byte[] encode() {
        return CanonicalJson.encode(KIND, g -> {
            g.writeNumberField("blockSize", blockSize);
            g.writeNumberField("size", size);
            g.writeArrayFieldStart("blocks");
            for (ObjectId b : blocks) {
                g.writeString(b.hex());
            }
            g.writeEndArray();
        });
    }

    public static BlockIndex decode(ObjectId id, byte[] bytes) throws CorruptObjectException {
        var fields = new Object() {
            long blockSize = -1;
            long size = -1;
            List<ObjectId> blocks;
        };
        CanonicalJson.decode(id, bytes, KIND, (field, p) -> {
            switch (field) {
                case "blockSize" -> fields.blockSize = CanonicalJson.nonNegative(p);
                case "size" -> fields.size = CanonicalJson.nonNegative(p);
                case "blocks" -> {
                    List<ObjectId> list = new ArrayList<>();
                    CanonicalJson.array(id, p, field, e -> {
                        String hex = CanonicalJson.text(e);
                        if (hex == null || !ObjectId.isValidHex(hex)) {
                            throw new CorruptObjectException(id, "invalid block id");
                        }
                        list.add(ObjectId.fromHex(hex));
                    });
                    fields.blocks = list;
                }
                default -> p.skipChildren();
            }
        });
        long bs = CanonicalJson.required(id, fields.blockSize, "blockSize");
        long size = CanonicalJson.required(id, fields.size, "size");
        if (fields.blocks == null || bs == 0 || bs > Integer.MAX_VALUE) {
            throw new CorruptObjectException(id, "malformed block index");
        }
        try {
            return new BlockIndex((int) bs, size, fields.blocks);
        } catch (IllegalArgumentException e) {
            throw new CorruptObjectException(id, e.getMessage());
        }
    }
}
