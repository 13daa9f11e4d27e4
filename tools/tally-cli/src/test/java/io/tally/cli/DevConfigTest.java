package io.tally.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tally dev --config} file: what it reads, and one clear problem per mistake, secrets never shown. */
class DevConfigTest {

    private static final UnaryOperator<String> NO_ENV = name -> null;

    @TempDir
    Path dir;

    @Test
    void readsEachServicesSettingsFlatOrNestedWithSecretsFromTheEnvironmentAndFiles() throws IOException {
        // Given a file with nested and dotted keys, an env reference and a file reference
        Path keyFile = Files.writeString(dir.resolve("youtube.key"), "file-secret\n");
        DevConfig config = load("""
                dataDir: state
                ports:
                  kafka: 19092
                services:
                  chart-scraper:
                    tally:
                      scraper:
                        source: beatport
                        beatport.base-url: https://www.beatport.com
                  track-search:
                    tally.search.adapter: youtube
                    tally.search.youtube.api-key: ${file:%s}
                  jobs-api:
                    tally.api.security.api-keys[0].key: ${env:TALLY_TEST_KEY}
                """.formatted(keyFile), Map.of("TALLY_TEST_KEY", "env-secret")::get);

        // Then every value is there under its Spring name, the secrets resolved
        assertThat(config.dataDir()).isEqualTo(dir.resolve("state"));
        assertThat(config.port(DevConfig.KAFKA_PORT, 9092)).isEqualTo(19092);
        assertThat(config.port(DevConfig.REGISTRY_PORT, 8081)).isEqualTo(8081);
        assertThat(config.settings(PipelineServices.SCRAPER)).containsEntry("tally.scraper.source", "beatport")
                .containsEntry("tally.scraper.beatport.base-url", "https://www.beatport.com");
        assertThat(config.settings(PipelineServices.SEARCH)).containsEntry("tally.search.youtube.api-key", "file-secret");
        assertThat(config.settings(PipelineServices.API))
                .containsEntry("tally.api.security.api-keys[0].key", "env-secret");
        assertThat(config.settings(PipelineServices.PLAYLIST)).isEmpty();
        // And the start-up line names the switches the file sets, without any secret
        assertThat(config.summary()).isEqualTo("chart-scraper: beatport, track-search: youtube");
    }

    @Test
    void refusesAnUnknownServiceNamingIt() {
        // When a service name is misspelt
        DevConfig.Invalid invalid = invalid("""
                services:
                  track-serch:
                    tally.search.adapter: youtube
                """);

        // Then one line names it and lists the known ones
        assertThat(invalid.problems()).singleElement().asString()
                .startsWith("services.track-serch: unknown service").contains("track-search");
    }

    @Test
    void refusesAnUnknownAdapterWithTheAllowedValues() {
        // When an adapter value is not one the service knows
        DevConfig.Invalid invalid = invalid("""
                services:
                  track-search:
                    tally.search.adapter: bogus
                """);

        // Then the line names the key, the value and the allowed values
        assertThat(invalid.problems()).containsExactly(
                "services.track-search.tally.search.adapter: 'bogus' is not one of offline, youtube");
    }

    @Test
    void refusesAMalformedValueAsTheServiceWouldBindIt() {
        // When a duration of the scraper cannot be read
        DevConfig.Invalid invalid = invalid("""
                services:
                  chart-scraper:
                    tally.scraper.beatport.read-timeout: soon
                """);

        // Then the service's own properties class says so, naming the key
        assertThat(invalid.problems()).containsExactly(
                "services.chart-scraper.tally.scraper.beatport.read-timeout: 'soon' cannot be read as Duration");
    }

    @Test
    void refusesALiteralSecretWithoutShowingIt() {
        // When a secret is written in the file itself
        DevConfig.Invalid invalid = invalid("""
                services:
                  track-search:
                    tally.search.youtube.api-key: AIzaLiteralValue
                  notification-service:
                    spring.mail.password: hunter2
                """);

        // Then each is refused with the reference syntax, and the values appear nowhere
        assertThat(invalid.problems()).containsExactlyInAnyOrder(
                "services.track-search.tally.search.youtube.api-key: a secret must not be written in the file;"
                        + " use ${env:NAME} or ${file:/path}",
                "services.notification-service.spring.mail.password: a secret must not be written in the file;"
                        + " use ${env:NAME} or ${file:/path}");
        assertThat(invalid.getMessage()).doesNotContain("AIzaLiteralValue").doesNotContain("hunter2");
    }

    @Test
    void refusesASecretWhoseVariableIsUnsetOrWhoseFileIsMissing() {
        // When the referenced variable is not set and the referenced file does not exist
        DevConfig.Invalid invalid = invalid("""
                services:
                  track-search:
                    tally.search.youtube.api-key: ${env:TALLY_UNSET_VARIABLE}
                  playlist-service:
                    tally.playlist.youtube.client-secret: ${file:%s}
                """.formatted(dir.resolve("missing.secret")));

        // Then both are named, one line each
        assertThat(invalid.problems()).containsExactlyInAnyOrder(
                "services.track-search.tally.search.youtube.api-key: environment variable TALLY_UNSET_VARIABLE is not set",
                "services.playlist-service.tally.playlist.youtube.client-secret: cannot read the file "
                        + dir.resolve("missing.secret") + " (NoSuchFileException)");
    }

    @Test
    void refusesAnUnknownTopLevelKeyAndAnUnknownPortName() {
        // When the file has a key it does not know, and a port for nothing
        DevConfig.Invalid invalid = invalid("""
                datadir: /tmp/x
                ports:
                  zookeeper: 2181
                """);

        // Then both are named
        assertThat(invalid.problems()).containsExactlyInAnyOrder(
                "datadir: unknown top-level key (known: dataDir, ports, services)",
                "ports.zookeeper: unknown port name (known: celebrity-workers, chart-processor, chart-scraper,"
                        + " job-tracker, jobs-api, kafka, kafka-controller, media-workers, notification-service,"
                        + " places-workers, playlist-service, registry, scheduler, track-search, transcribe-workers)");
    }

    @Test
    void knowsWhichKeysAreSecrets() {
        // Then keys ending in key, secret, token or password are secrets; files and URIs of tokens are not
        assertThat(DevConfig.isSecretKey("tally.search.youtube.api-key")).isTrue();
        assertThat(DevConfig.isSecretKey("tally.playlist.youtube.client-secret")).isTrue();
        assertThat(DevConfig.isSecretKey("tally.playlist.youtube.refresh-token")).isTrue();
        assertThat(DevConfig.isSecretKey("spring.mail.password")).isTrue();
        assertThat(DevConfig.isSecretKey("tally.api.security.api-keys[0].key")).isTrue();
        assertThat(DevConfig.isSecretKey("tally.notify.webhook.url")).isTrue();
        assertThat(DevConfig.isSecretKey("tally.playlist.youtube.token-file")).isFalse();
        assertThat(DevConfig.isSecretKey("tally.playlist.youtube.token-uri")).isFalse();
        assertThat(DevConfig.isSecretKey("tally.search.adapter")).isFalse();
    }

    @Test
    void theExampleFileAtTheRepositoryRootIsValidWithItsSecretsProvided() throws IOException {
        // Given the documented example, with every variable it references set
        Path example = Path.of("../../tally.example.yml");

        // When it is read
        DevConfig config = DevConfig.load(example, name -> "set");

        // Then it chooses the live adapters
        assertThat(config.settings(PipelineServices.SCRAPER)).containsEntry("tally.scraper.source", "beatport");
        assertThat(config.settings(PipelineServices.SEARCH)).containsEntry("tally.search.adapter", "youtube");
        assertThat(config.settings(PipelineServices.PLAYLIST)).containsEntry("tally.playlist.adapter", "youtube");
    }

    private DevConfig load(String yaml, UnaryOperator<String> environment) throws IOException {
        return DevConfig.load(Files.writeString(dir.resolve("tally.yml"), yaml), environment);
    }

    private DevConfig.Invalid invalid(String yaml) {
        return catchThrowableOfType(DevConfig.Invalid.class, () -> load(yaml, NO_ENV));
    }
}
