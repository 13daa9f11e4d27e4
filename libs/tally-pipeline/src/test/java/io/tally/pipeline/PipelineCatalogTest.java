package io.tally.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A folder of pipeline files: every YAML file read, names unique, all problems of all files together. */
class PipelineCatalogTest {

    @TempDir
    Path folder;

    @Test
    void readsEveryYamlFileOfTheFolderAndFindsThemByName() throws IOException {
        // Given a .yml, a .yaml and a file that is not a pipeline
        write("b.yml", "second");
        write("a.yaml", "first");
        Files.writeString(folder.resolve("README.md"), "not a pipeline");

        PipelineCatalog catalog = PipelineCatalog.load(folder);

        assertThat(catalog.all()).extracting(PipelineDefinition::name).containsExactly("first", "second");
        assertThat(catalog.find("second")).get().extracting(PipelineDefinition::version).isEqualTo(1);
        assertThat(catalog.find("third")).isEmpty();
    }

    @Test
    void refusesTwoFilesWithTheSameNameAndReportsOtherFilesProblemsToo() throws IOException {
        // Given two files naming the same pipeline, and a third with a bad version
        write("one.yml", "same");
        write("two.yml", "same");
        Files.writeString(folder.resolve("three.yml"), "name: three\nversion: -1\nstages: [{id: a, task: t}]\n");

        PipelineDefinitionException failure = catchThrowableOfType(PipelineDefinitionException.class,
                () -> PipelineCatalog.load(folder));

        assertThat(failure.problems()).extracting(DefinitionProblem::toString).containsExactly(
                folder.resolve("three.yml") + ":2: version must be a whole number of 1 or more, not '-1'",
                folder.resolve("two.yml") + ":1: pipeline 'same' is also declared in " + folder.resolve("one.yml"));
    }

    private void write(String file, String name) throws IOException {
        Files.writeString(folder.resolve(file), "name: " + name + "\nversion: 1\nstages:\n  - {id: a, task: t}\n");
    }
}
