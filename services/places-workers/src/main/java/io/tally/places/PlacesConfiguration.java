package io.tally.places;

import io.tally.places.source.FixturePlacesSource;
import io.tally.places.source.GooglePlacesSource;
import io.tally.places.source.PlacesSource;
import io.tally.places.warehouse.ModelProject;
import io.tally.places.warehouse.ModelRunner;
import io.tally.places.warehouse.ModelTestRunner;
import io.tally.places.warehouse.Warehouse;
import io.tally.tasks.places.CollectPlacesInput;
import io.tally.tasks.places.CollectPlacesOutput;
import io.tally.tasks.places.PlacesReportInput;
import io.tally.tasks.places.PlacesReportOutput;
import io.tally.tasks.places.QualityGateInput;
import io.tally.tasks.places.QualityGateOutput;
import io.tally.tasks.places.TestModelsInput;
import io.tally.tasks.places.TestModelsOutput;
import io.tally.tasks.places.TransformModelsInput;
import io.tally.tasks.places.TransformModelsOutput;
import io.tally.worker.TaskHandler;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ResourceLoader;
import org.springframework.web.client.RestClient;

/**
 * Wires the places source chosen by {@code tally.places.source}, the warehouse file, the models folder, and the five
 * task types of the restaurants-daily pipeline; their retry and dead-letter topics are the worker SDK's.
 */
@Configuration(proxyBeanMethods = false)
class PlacesConfiguration {

    @Bean
    PlacesSource placesSource(PlacesProperties properties, ResourceLoader resources, RestClient.Builder http) {
        return switch (properties.source()) {
            case FIXTURE -> new FixturePlacesSource(resources.getResource(properties.fixture().location()));
            case GOOGLE -> new GooglePlacesSource(http, properties.google());
        };
    }

    @Bean(destroyMethod = "close")
    Warehouse warehouse(PlacesProperties properties) {
        return new Warehouse(properties.warehouse());
    }

    /** The models and tests, read at start-up: a broken folder fails the start, not the first run. */
    @Bean
    ModelProject modelProject(PlacesProperties properties) {
        return ModelProject.load(properties.models());
    }

    @Bean
    TaskHandler<CollectPlacesInput, CollectPlacesOutput> collectPlacesTask(PlacesSource source, Warehouse warehouse) {
        return TaskHandler.of(CollectPlacesHandler.TASK_TYPE, CollectPlacesInput.class, CollectPlacesOutput.class,
                new CollectPlacesHandler(source, warehouse, Clock.systemUTC()));
    }

    @Bean
    TaskHandler<TransformModelsInput, TransformModelsOutput> transformModelsTask(Warehouse warehouse, ModelProject project) {
        return TaskHandler.of(TransformModelsHandler.TASK_TYPE, TransformModelsInput.class, TransformModelsOutput.class,
                new TransformModelsHandler(new ModelRunner(warehouse), project));
    }

    @Bean
    TaskHandler<TestModelsInput, TestModelsOutput> testModelsTask(Warehouse warehouse, ModelProject project) {
        return TaskHandler.of(TestModelsHandler.TASK_TYPE, TestModelsInput.class, TestModelsOutput.class,
                new TestModelsHandler(new ModelTestRunner(warehouse), project));
    }

    @Bean
    TaskHandler<PlacesReportInput, PlacesReportOutput> placesReportTask() {
        return TaskHandler.of(PlacesReportHandler.TASK_TYPE, PlacesReportInput.class, PlacesReportOutput.class,
                new PlacesReportHandler());
    }

    @Bean
    TaskHandler<QualityGateInput, QualityGateOutput> qualityGateTask() {
        return TaskHandler.of(QualityGateHandler.TASK_TYPE, QualityGateInput.class, QualityGateOutput.class,
                new QualityGateHandler());
    }
}
