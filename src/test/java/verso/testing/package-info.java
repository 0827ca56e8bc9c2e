/**
 * Test support shared across packages: a real S3-compatible server (S3Proxy) on 127.0.0.1 for tests,
 * the demo and the benchmarks; and DVC-format projects built without dvc
 * ({@link verso.testing.DvcFixture}).
 */
package verso.testing;
