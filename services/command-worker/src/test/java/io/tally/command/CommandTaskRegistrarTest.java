package io.tally.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.tally.worker.TaskHandler;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/** One task handler bean per configured command, with the command's validated settings; none without any. */
class CommandTaskRegistrarTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(CommandProperties.class)
    @Import(CommandTaskRegistrar.class)
    static class Commands {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Commands.class);

    @Test
    void declaresOneTaskHandlerPerConfiguredCommand() {
        runner.withPropertyValues(
                        "tally.command.tasks.dbt-run.executable=dbt",
                        "tally.command.tasks.dbt-run.args[0]=run",
                        "tally.command.tasks.dbt-run.args[1]={job: ${input.jobId}, city: ${input.params.city}}",
                        "tally.command.tasks.dbt-run.timeout=300s",
                        "tally.command.tasks.dbt-test.executable=dbt")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBeansOfType(TaskHandler.class).values()).extracting(TaskHandler::taskType)
                            .containsExactlyInAnyOrder("dbt-run", "dbt-test");
                    CommandProperties.Command dbtRun = context.getBean(CommandProperties.class).tasks().get("dbt-run");
                    // The task input's placeholders survive Spring's own ${...} resolution, left for the handler
                    assertThat(dbtRun.args()).containsExactly("run", "{job: ${input.jobId}, city: ${input.params.city}}");
                    assertThat(dbtRun.timeout()).isEqualTo(Duration.ofSeconds(300));
                    assertThat(context.getBean(CommandProperties.class).tasks().get("dbt-test").timeout())
                            .isEqualTo(Duration.ofMinutes(5));
                });
    }

    @Test
    void aCommandWithoutAnExecutableFailsTheStart() {
        runner.withPropertyValues("tally.command.tasks.broken.args[0]=run")
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void noCommandsMeansNoHandlers() {
        runner.run(context -> assertThat(context.getBeansOfType(TaskHandler.class)).isEmpty());
    }
}
