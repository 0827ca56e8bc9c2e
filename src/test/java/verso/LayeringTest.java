package verso;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package shape of docs/architecture.md: each package uses only those below it, the FUSE binding
 * and the AWS SDK each stay in one package, and nothing uses the command line.
 */
final class LayeringTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("verso");

    @Test
    void layers_onlyPointDown() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("store").definedBy("verso.store")
                .layer("remote").definedBy("verso.remote")
                .layer("cache").definedBy("verso.cache")
                .layer("read").definedBy("verso.read")
                .layer("repo").definedBy("verso.repo")
                .layer("sync").definedBy("verso.sync")
                .layer("fs").definedBy("verso.fs")
                .layer("fs.jnr").definedBy("verso.fs.jnr")
                .layer("mount").definedBy("verso.mount")
                .layer("dvc").definedBy("verso.dvc")
                .layer("cli").definedBy("verso.cli")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("mount").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("dvc").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("fs.jnr").mayOnlyBeAccessedByLayers("mount", "cli")
                .whereLayer("fs").mayOnlyBeAccessedByLayers("fs.jnr", "mount", "cli")
                .whereLayer("sync").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("repo").mayOnlyBeAccessedByLayers("sync", "fs.jnr", "mount", "dvc", "cli")
                .whereLayer("read").mayOnlyBeAccessedByLayers("fs", "fs.jnr", "mount", "cli")
                .whereLayer("cache").mayOnlyBeAccessedByLayers("read", "fs", "fs.jnr", "mount", "cli")
                .check(MAIN);
    }

    @Test
    void nativeCalls_onlyInTheBinding() {
        noClasses().that().resideOutsideOfPackage("verso.fs.jnr")
                .should().dependOnClassesThat().resideInAnyPackage("jnr..", "com.kenai.jffi..")
                .check(MAIN);
    }

    @Test
    void awsSdk_onlyInRemote() {
        noClasses().that().resideOutsideOfPackage("verso.remote")
                .should().dependOnClassesThat().resideInAnyPackage("software.amazon..")
                .check(MAIN);
    }

    @Test
    void packages_haveNoCycles() {
        slices().matching("verso.(**)").should().beFreeOfCycles().check(MAIN);
    }
}
