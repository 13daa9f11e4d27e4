package io.tally.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tally.tasks.command.RunCommandInput;
import io.tally.tasks.command.RunCommandOutput;
import io.tally.worker.FixedTaskContext;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command task with real processes ({@code sh -c}, {@code sleep}): arguments with placeholders, environment and
 * working dir, captured output with only the tail kept, a non-zero exit, a timeout that kills the process and its
 * child, cancellation, and an executable that does not exist.
 */
class RunCommandHandlerTest {

    @TempDir
    Path dir;

    private static CommandProperties.Command sh(String script, Duration timeout, int maxOutput, boolean retryExit,
                                                Path workingDir, Map<String, String> environment) {
        return new CommandProperties.Command("sh", List.of("-c", script, "sh"), workingDir, environment, true, timeout,
                maxOutput, retryExit);
    }

    private static CommandProperties.Command sh(String script) {
        return sh(script, Duration.ofSeconds(20), 65_536, true, null, Map.of());
    }

    private static RunCommandInput input(List<String> args, Map<String, String> env) {
        return RunCommandInput.newBuilder().setJobId("job-1").setPipeline("restaurants-daily")
                .setParams(Map.of("city", "Paris")).setArgs(args).setEnv(env).build();
    }

    private static RunCommandOutput run(CommandProperties.Command command, RunCommandInput input) throws Exception {
        return new RunCommandHandler("dbt-run", command).run(input, FixedTaskContext.of("job-1", "transform", null));
    }

    @Test
    void runsTheCommandWithExpandedArgumentsEnvironmentAndWorkingDirAndCapturesItsOutput() throws Exception {
        // Given a command whose configured args hold placeholders, plus an extra argument and variables
        CommandProperties.Command command = new CommandProperties.Command("sh",
                List.of("-c", "echo \"args: $*\"; echo \"env: $TARGET $CITY\"; pwd; echo oops >&2", "sh",
                        "--vars", "{city: ${input.params.city}, job: ${input.jobId}}"),
                dir, Map.of("TARGET", "dev"), true, Duration.ofSeconds(20), 65_536, true);

        // When it runs with an extra argument and an environment variable from the stage
        RunCommandOutput output = run(command, input(List.of("--select", "${input.pipeline}"), Map.of("CITY", "Lyon")));

        // Then the process saw every argument expanded, both environments and the working dir
        assertThat(output.getCommand()).containsExactly("sh", "-c",
                "echo \"args: $*\"; echo \"env: $TARGET $CITY\"; pwd; echo oops >&2", "sh",
                "--vars", "{city: Paris, job: job-1}", "--select", "restaurants-daily");
        assertThat(output.getStdout()).isEqualTo("args: --vars {city: Paris, job: job-1} --select restaurants-daily\n"
                + "env: dev Lyon\n" + dir.toRealPath() + "\n");
        assertThat(output.getStderr()).isEqualTo("oops\n");
        assertThat(output.getExitCode()).isZero();
        assertThat(output.getStdoutTruncated()).isFalse();
        assertThat(output.getElapsedMs()).isNotNegative();
    }

    @Test
    void keepsOnlyTheTailOfALongOutput() throws Exception {
        // Given a command that prints 2000 numbered lines and keeps 256 bytes
        CommandProperties.Command command = sh("i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done",
                Duration.ofSeconds(20), 256, true, null, Map.of());

        // When it runs
        RunCommandOutput output = run(command, input(List.of(), Map.of()));

        // Then the end is kept and the output says it was cut
        assertThat(output.getStdoutTruncated()).isTrue();
        assertThat(output.getStdout()).hasSize(256).endsWith("line-1998\nline-1999\n").doesNotContain("line-0\n");
    }

    @Test
    void aNonZeroExitFailsWithItsCodeAndTheEndOfStderr() {
        // Given a command that fails with 3 after saying why
        CommandProperties.Command command = sh("echo 'Compilation Error in model restaurants' >&2; exit 3");

        // When it runs, then the task fails retryably with exit-3 and the error text
        assertThatThrownBy(() -> run(command, input(List.of(), Map.of())))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("exit-3");
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains("exited with 3").contains("Compilation Error in model restaurants");
                });
        // And a command configured not to retry its exits fails for good
        CommandProperties.Command final_ = sh("exit 2", Duration.ofSeconds(20), 65_536, false, null, Map.of());
        assertThatThrownBy(() -> run(final_, input(List.of(), Map.of())))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("exit-2");
                    assertThat(e.retryable()).isFalse();
                });
    }

    @Test
    void aCommandPastItsTimeoutIsKilledWithItsChildAndFailsRetryably() throws Exception {
        // Given a shell that starts a long sleep (a child process) and records its pid, with a 1 s timeout
        Path pidFile = dir.resolve("sleep.pid");
        CommandProperties.Command command = sh("sleep 30 & echo $! > " + pidFile + "; wait", Duration.ofSeconds(1),
                65_536, true, null, Map.of());
        long start = System.nanoTime();

        // When it runs, then it fails with command-timeout, retryable, about a second later
        assertThatThrownBy(() -> run(command, input(List.of(), Map.of())))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo(RunCommandHandler.TIMEOUT);
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.getMessage()).contains("killed after PT1S");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        // And the sleep child is gone too
        long sleepPid = Long.parseLong(Files.readString(pidFile).strip());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> ProcessHandle.of(sleepPid).map(process -> !process.isAlive()).orElse(true));
    }

    @Test
    void aCancelledJobsProcessIsKilledAndTheTaskSkipped() throws Exception {
        // Given a long command and a job that is cancelled while it runs
        AtomicBoolean cancelled = new AtomicBoolean();
        CommandProperties.Command command = sh("sleep 30");
        RunCommandHandler handler = new RunCommandHandler("dbt-run", command);
        TaskContext cancellable = new TaskContext() {
            @Override public String taskId() { return "job-1/transform#1"; }
            @Override public String jobId() { return "job-1"; }
            @Override public String stage() { return "transform"; }
            @Override public String itemId() { return null; }
            @Override public int attempt() { return 1; }
            @Override public int deliveryAttempt() { return 1; }
            @Override public Instant deadline() { return null; }
            @Override public void progress(long done, Long total, String message) { }
            @Override public boolean cancelled() { return cancelled.get(); }
        };
        new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            cancelled.set(true);
        }).start();
        long start = System.nanoTime();

        // When it runs, then it ends SKIPPED (null) well before the sleep would have
        assertThat(handler.run(input(List.of(), Map.of()), cancellable)).isNull();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aPlaceholderWithoutAValueOrAMissingExecutableFailsAtOnce() {
        // Given a command that needs a parameter the input does not have, and one that does not exist
        CommandProperties.Command needsTarget = sh("echo ${input.params.target}");
        CommandProperties.Command missing = new CommandProperties.Command("/no/such/dbt", List.of(), null, Map.of(),
                true, Duration.ofSeconds(5), 65_536, true);

        // When they run, then both fail without retry, naming what is wrong
        assertThatThrownBy(() -> run(needsTarget, input(List.of(), Map.of())))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("bad-input");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("${input.params.target}");
                });
        assertThatThrownBy(() -> run(missing, input(List.of(), Map.of())))
                .isInstanceOfSatisfying(TaskFailedException.class, e -> {
                    assertThat(e.code()).isEqualTo("command-not-started");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.getMessage()).contains("/no/such/dbt");
                });
    }
}
