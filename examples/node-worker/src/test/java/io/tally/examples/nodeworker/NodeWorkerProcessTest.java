package io.tally.examples.nodeworker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

/** The rule that lets the Node tests skip on a machine without Node, and makes them fail where they are required. */
class NodeWorkerProcessTest {

    private static final String PROPERTY = "tally.node-tests";
    private static final List<String> MISSING = List.of("java", "tally-no-such-command");

    private final String before = System.getProperty(PROPERTY);
    private String markerBefore;

    @BeforeEach
    void keepMarker() throws IOException {
        Path marker = NodeWorkerProcess.SKIPPED_MARKER;
        markerBefore = Files.exists(marker) ? Files.readString(marker) : null;
    }

    @AfterEach
    void restorePropertyAndMarker() throws IOException {
        // The marker says what the real Node tests did in this build, not what these tests simulated.
        Path marker = NodeWorkerProcess.SKIPPED_MARKER;
        if (markerBefore == null) {
            Files.deleteIfExists(marker);
        } else {
            Files.writeString(marker, markerBefore);
        }
        if (before == null) {
            System.clearProperty(PROPERTY);
        } else {
            System.setProperty(PROPERTY, before);
        }
    }

    @Test
    void skipsNamingTheMissingCommandWhenTheTestsAreOptional() {
        // Given the default setting
        System.setProperty(PROPERTY, "optional");

        // When a command the tests need is missing, then the tests are aborted (skipped) with the command and the fix
        assertThatThrownBy(() -> NodeWorkerProcess.assumeTools(MISSING)).isInstanceOf(TestAbortedException.class)
                .hasMessageContaining("tally-no-such-command").hasMessageContaining("apt-get install nodejs npm");
        // And a marker says so, for a build step that repeats the warning at the end of the output
        assertThat(NodeWorkerProcess.SKIPPED_MARKER).content().startsWith("NODE TESTS SKIPPED: ");
    }

    @Test
    void failsWhenTheTestsAreRequired() {
        // Given CI's setting
        System.setProperty(PROPERTY, "required");

        // When a command is missing, then the tests fail instead of skipping
        assertThatThrownBy(() -> NodeWorkerProcess.assumeTools(MISSING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tally-no-such-command").hasMessageContaining("-Dtally.node-tests=required");
    }

    @Test
    void goesOnWhenEveryCommandRuns() {
        // Given required tests and commands that are there (this JVM's java), then nothing is thrown
        System.setProperty(PROPERTY, "required");
        assertThatCode(() -> NodeWorkerProcess.assumeTools(List.of("java"))).doesNotThrowAnyException();
        // And no skip marker is left behind
        assertThat(NodeWorkerProcess.SKIPPED_MARKER).doesNotExist();
    }
}
