package io.tally.localruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kept broker data dir keeps its ports: a formatted KRaft log remembers its controller's endpoint, so another
 * controller port is refused before any process starts (the broker would wait for a quorum that never forms).
 */
class KeptBrokerDataTest {

    @TempDir
    Path dataDir;

    @Test
    void anUnformattedDataDirHasNoPortsToKeep() {
        // Given an empty data dir, then one with a configuration but no formatted log
        assertThat(KafkaBrokerProcess.formattedPorts(dataDir)).isNull();
    }

    @Test
    void aFormattedDataDirKeepsThePortsItWasStartedWith() throws IOException {
        // Given a data dir a broker was formatted and started in on ports 19092 and 19093
        formatted(19092, 19093);

        // Then those are its ports
        assertThat(KafkaBrokerProcess.formattedPorts(dataDir)).containsExactly(19092, 19093);
    }

    @Test
    void anotherControllerPortForAFormattedDataDirIsRefusedBeforeAnythingStarts() throws IOException {
        // Given a data dir formatted for controller port 9093
        formatted(9092, 9093);

        // When a broker is started on it with controller port 19093
        // Then the start is refused with a message naming both ports
        assertThatThrownBy(() -> KafkaBrokerProcess.builder().dataDir(dataDir).brokerPort(9092).controllerPort(19093)
                .logFile(dataDir.resolve("broker.log")).start())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the Kafka data in " + dataDir + " was created with controller port 9093, not 19093;"
                        + " start with the same ports, or start fresh");
        assertThat(dataDir.resolve("broker.log")).doesNotExist();
    }

    private void formatted(int brokerPort, int controllerPort) throws IOException {
        Files.writeString(dataDir.resolve("server.properties"), "listeners=PLAINTEXT://127.0.0.1:" + brokerPort
                + ",CONTROLLER://127.0.0.1:" + controllerPort + "\n");
        Files.createDirectories(dataDir.resolve("kafka-logs"));
        Files.writeString(dataDir.resolve("kafka-logs").resolve("meta.properties"), "node.id=1\n");
    }
}
