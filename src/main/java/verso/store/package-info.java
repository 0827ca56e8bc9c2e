/**
 * Content-addressed objects: {@link verso.store.ObjectId}, SHA-256 hashing, the canonical
 * encodings of trees, block indexes and versions, and the local object store (fan-out
 * directories, temp file then atomic move, verification). Depends only on the JDK and Jackson.
 */
package verso.store;
