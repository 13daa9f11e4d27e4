package io.tally.places.warehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.core.io.support.ResourcePatternResolver;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A models folder the way a dbt project lays it out: {@code staging/*.sql} then {@code marts/*.sql}, each file one
 * SELECT materialized as a table named after the file (staging before marts, by file name within a layer), and
 * {@code tests.yml}, the data tests ({@link ModelTest}). Read once at start-up, so a bad folder fails the start.
 * Known gap: no {@code ref()}/{@code source()} macros and no Jinja: a model names the tables it reads directly
 * ({@code raw_places}, {@code stg_places}), and the order is by layer and file name, not by a dependency graph.
 */
public record ModelProject(String location, List<Model> models, List<ModelTest> tests) {

    /** The layers, in the order they run. */
    public static final List<String> LAYERS = List.of("staging", "marts");

    /** One model: its table name, layer and SELECT. */
    public record Model(String name, String layer, String sql) {
    }

    /** Reads the folder at a Spring resource location, such as {@code classpath:models} or {@code file:/srv/models}. */
    public static ModelProject load(String location) {
        ResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
        String root = location.replaceAll("/+$", "");
        List<Model> models = new ArrayList<>();
        try {
            for (String layer : LAYERS) {
                Resource[] files = resolver.getResources(root + "/" + layer + "/*.sql");
                Arrays.sort(files, Comparator.comparing(Resource::getFilename));
                for (Resource file : files) {
                    String name = file.getFilename().substring(0, file.getFilename().length() - ".sql".length());
                    Warehouse.quote(name);
                    models.add(new Model(name, layer, select(read(file), file)));
                }
            }
            Resource testsFile = resolver.getResource(root + "/tests.yml");
            List<ModelTest> tests = testsFile.exists() ? ModelTest.parse(read(testsFile), testsFile.getDescription()) : List.of();
            if (models.isEmpty()) {
                throw new IllegalStateException("no models in " + location + " (staging/*.sql, marts/*.sql)");
            }
            return new ModelProject(location, List.copyOf(models), tests);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the models folder " + location, e);
        }
    }

    private static String read(Resource resource) throws IOException {
        try (InputStream in = resource.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The file's SELECT without a trailing semicolon; a file with several statements is refused. */
    private static String select(String text, Resource file) {
        String sql = text.strip();
        while (sql.endsWith(";")) {
            sql = sql.substring(0, sql.length() - 1).strip();
        }
        if (sql.isEmpty()) {
            throw new IllegalStateException("model " + file.getDescription() + " is empty");
        }
        return sql;
    }

    /** Reads YAML with SnakeYAML's safe constructor (plain maps, lists and scalars only). */
    static Object yaml(String text) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String where) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalStateException(where + ": expected a mapping");
        }
        return (Map<String, Object>) map;
    }
}
