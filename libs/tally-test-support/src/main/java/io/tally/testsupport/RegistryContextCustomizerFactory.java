package io.tally.testsupport;

import io.tally.localruntime.SchemaRegistryProcess;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.TestContextAnnotationUtils;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Points every {@link TallyServiceTest} at the registry process shared by the whole test JVM
 * ({@link SchemaRegistryProcess#shared()}), started on first use. Registered in {@code META-INF/spring.factories}.
 */
public final class RegistryContextCustomizerFactory implements ContextCustomizerFactory {

    static final String REGISTRY_URL = "tally.kafka.registry-url";

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass,
            List<ContextConfigurationAttributes> configAttributes) {
        return TestContextAnnotationUtils.hasAnnotation(testClass, TallyServiceTest.class) ? new RegistryUrl() : null;
    }

    /** Adds the registry URL above the application's own files, below the test's inlined properties. */
    private static final class RegistryUrl implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration mergedConfig) {
            PropertySource<?> source = new MapPropertySource("tallySchemaRegistry",
                    Map.of(REGISTRY_URL, SchemaRegistryProcess.shared().registryV2Url()));
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            if (sources.contains(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME)) {
                sources.addAfter(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME, source);
            } else {
                sources.addFirst(source);
            }
        }

        // One registry for every context, so the customizer never splits the context cache.
        @Override
        public boolean equals(Object other) {
            return other instanceof RegistryUrl;
        }

        @Override
        public int hashCode() {
            return RegistryUrl.class.hashCode();
        }
    }
}
