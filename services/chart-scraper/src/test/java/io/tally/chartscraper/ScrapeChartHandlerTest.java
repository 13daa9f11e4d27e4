package io.tally.chartscraper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tally.chartscraper.source.ChartFormatException;
import io.tally.chartscraper.source.ChartSource;
import io.tally.chartscraper.source.SampleChartSource;
import io.tally.common.topics.Topics;
import io.tally.events.ChartPublished;
import io.tally.events.tasks.ScrapeChartInput;
import io.tally.events.tasks.ScrapeChartOutput;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskFailedException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.core.io.ClassPathResource;
import org.springframework.kafka.core.KafkaTemplate;

/** The scrape-chart task: the sample chart as output, published as the edition first; bad charts fail at once. */
class ScrapeChartHandlerTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T07:00:00Z"), ZoneOffset.UTC);

    @SuppressWarnings("unchecked")
    private final KafkaTemplate<String, Object> template = mock(KafkaTemplate.class);

    private ScrapeChartHandler handler(ChartSource source) {
        when(template.send(anyString(), anyString(), any())).thenReturn(CompletableFuture.completedFuture(null));
        return new ScrapeChartHandler(source, template, new ScraperMetrics(new SimpleMeterRegistry()), CLOCK);
    }

    private static ScrapeChartInput input(String chart, String date) {
        return ScrapeChartInput.newBuilder().setChart(chart).setDate(date).setJobId("job-1").setPipeline("beatport-chart").build();
    }

    @Test
    void answersWithTheSampleChartAfterPublishingItAsTheEdition() throws Exception {
        // Given the offline sample source
        ScrapeChartHandler handler = handler(new SampleChartSource(new ClassPathResource("charts/beatport-top100-sample.json")));

        // When the overall chart of the latest date is asked for
        ScrapeChartOutput output = handler.run(input(ScrapeChartHandler.TOP_100, Charts.LATEST),
                FixedTaskContext.of("job-1", "scrape", null));

        // Then the output is the sample edition with its 100 tracks in chart order
        assertThat(output.getSourceKey()).isEqualTo("beatport/2026/01/25/top100");
        assertThat(output.getChartName()).isEqualTo("Beatport Top 100");
        assertThat(output.getChartDate()).isEqualTo(LocalDate.of(2026, 1, 25));
        assertThat(output.getTracks()).hasSize(100);
        assertThat(output.getTracks().get(0).getPosition()).isEqualTo(1);
        // And the same edition is on the charts topic under its source key, with the job and pipeline
        ArgumentCaptor<Object> published = ArgumentCaptor.forClass(Object.class);
        verify(template).send(eq(Topics.CHARTS_PUBLISHED.name()), eq(output.getSourceKey()), published.capture());
        assertThat(published.getValue()).isInstanceOfSatisfying(ChartPublished.class, chart -> {
            assertThat(chart.getJobId()).isEqualTo("job-1");
            assertThat(chart.getPipeline()).isEqualTo("beatport-chart");
            assertThat(chart.getTracks()).isEqualTo(output.getTracks());
            assertThat(chart.getPublishedAt()).isEqualTo(CLOCK.instant());
        });
    }

    @Test
    void takesTheDateParameterForTheEditionKey() throws Exception {
        ScrapeChartHandler handler = handler(new SampleChartSource(new ClassPathResource("charts/beatport-top100-sample.json")));

        ScrapeChartOutput output = handler.run(input(ScrapeChartHandler.TOP_100, "2024-08-12"),
                FixedTaskContext.of("job-1", "scrape", null));

        assertThat(output.getSourceKey()).isEqualTo("beatport/2024/08/12/top100");
        assertThat(output.getChartDate()).isEqualTo(LocalDate.of(2024, 8, 12));
    }

    @Test
    void failsAtOnceWithoutRetryOnAPageThatIsNoChartOrABadChartParameter() {
        // Given a source that answers with something that is not a chart
        ChartSource broken = mock(ChartSource.class);
        when(broken.name()).thenReturn("beatport");
        when(broken.fetch(any())).thenThrow(new ChartFormatException("no __NEXT_DATA__ on the page"));
        ScrapeChartHandler handler = handler(broken);

        // Then the task fails with a code the definition does not retry, and no edition is published
        assertThatThrownBy(() -> handler.run(input(ScrapeChartHandler.TOP_100, Charts.LATEST),
                FixedTaskContext.of("job-1", "scrape", null)))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("chart-format");
                    assertThat(e.retryable()).isFalse();
                });
        assertThatThrownBy(() -> handler.run(input("../admin", Charts.LATEST), FixedTaskContext.of("job-1", "scrape", null)))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> assertThat(e.code()).isEqualTo("bad-parameter"));
        verify(template, never()).send(anyString(), anyString(), any());
    }

    @Test
    void failsAtOnceWithoutRetryOnADateParameterThatIsNoDate() {
        // Given the sample source, which would answer
        ScrapeChartHandler handler = handler(new SampleChartSource(new ClassPathResource("charts/beatport-top100-sample.json")));

        // When the chart of "yesterday" is asked for
        // Then the task fails with bad-parameter, not retried, saying what a date looks like, and nothing is published
        assertThatThrownBy(() -> handler.run(input(ScrapeChartHandler.TOP_100, "yesterday"),
                FixedTaskContext.of("job-1", "scrape", null)))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("bad-parameter");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("date='yesterday'").contains("yyyy-MM-dd");
                });
        verify(template, never()).send(anyString(), anyString(), any());
    }
}
