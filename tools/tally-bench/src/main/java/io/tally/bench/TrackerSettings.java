package io.tally.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.PropertyPlaceholderHelper;

/**
 * The Kafka Streams properties the job tracker ships with ({@code spring.kafka.streams.properties.*} of its
 * {@code job-tracker.yml}, placeholders at their defaults), so the bench measures the tracker as deployed rather
 * than a copy of its settings that could drift.
 */
final class TrackerSettings {

    private static final String PREFIX = "spring.kafka.streams.properties.";

    private TrackerSettings() {
    }

    static Map<String, Object> streamsProperties() {
        YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
        yaml.setResources(new ClassPathResource("job-tracker.yml"));
        Properties all = yaml.getObject();
        if (all == null || all.isEmpty()) {
            throw new IllegalStateException("job-tracker.yml is not on the classpath");
        }
        // Placeholders resolve within the file, else to their defaults; environment variables are deliberately
        // ignored: a bench run must not change with the caller's shell.
        PropertyPlaceholderHelper placeholders = new PropertyPlaceholderHelper("${", "}", ":", null, false);
        Map<String, Object> streams = new LinkedHashMap<>();
        // Not stringPropertyNames(): YAML numbers and booleans arrive as Integer and Boolean values.
        all.forEach((name, value) -> {
            if (name.toString().startsWith(PREFIX)) {
                streams.put(name.toString().substring(PREFIX.length()), placeholders.replacePlaceholders(
                        String.valueOf(value), key -> all.get(key) == null ? null : String.valueOf(all.get(key))));
            }
        });
        // Each measured topology is one instance of its own application id: static membership has no role there.
        streams.remove("group.instance.id");
        return streams;
    }

    /** The shipped {@code commit.interval.ms} of {@code settings} (as read by {@link #streamsProperties()}). */
    static int commitIntervalMs(Map<String, Object> settings) {
        return Integer.parseInt(settings.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG).toString());
    }
}
