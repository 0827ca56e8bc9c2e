/**
 * Content-addressed objects: {@link verso.store.ObjectId}, SHA-256 hashing, the canonical
 * encodings of trees, block indexes and versions, and the local object store (fan-out
 * directories, temp file then atomic move, verification), the storage layout
 * ({@link verso.store.Layout}), the rules for names ({@link verso.store.Names}), and a compact set
 * of ids for walks over millions of objects ({@link verso.store.ObjectIdSet}); pack indexes held on the
 * heap or in a mapped file ({@link verso.store.PackIndex}, decoded as it streams in); named daemon threads for every
 * package's pools ({@link verso.store.DaemonThreads}), here because every package may use it.
 *
 * <p>Uses only the JDK and Jackson.
 */
package verso.store;
