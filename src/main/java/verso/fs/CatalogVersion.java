package verso.fs;

import verso.store.ObjectId;
import verso.store.Version;

/** A version known to a catalog: its id and the decoded, verified version object. */
public record CatalogVersion(ObjectId id, Version version) {
}
