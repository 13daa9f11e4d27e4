package io.tally.command;

import io.tally.tasks.command.RunCommandInput;
import io.tally.tasks.command.RunCommandOutput;
import io.tally.worker.TaskContext;
import io.tally.worker.TaskFailedException;
import io.tally.worker.TaskHandler;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command task type: runs its configured {@link CommandProperties.Command} with the task input's placeholders
 * expanded, extra arguments appended and environment added. Exit 0 succeeds with the output's tails; a non-zero exit
 * fails with {@code exit-<n>} (retryable unless {@code retry-exit-codes: false}); a timeout kills the process and
 * fails, retryable, with {@code command-timeout}; an executable that cannot start fails at once with
 * {@code command-not-started}; a placeholder without a value fails at once with {@code bad-input}; a cancelled job's
 * process is killed and the task SKIPPED. Failure messages end with the tail of stderr.
 * Known gap: the process runs again on a redelivered task; a command with outside effects must be idempotent.
 */
record RunCommandHandler(String taskType, CommandProperties.Command command)
        implements TaskHandler.Work<RunCommandInput, RunCommandOutput> {

    /** Error code of a process killed at its timeout. */
    static final String TIMEOUT = "command-timeout";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{input\\.([A-Za-z0-9_.-]+)}");
    private static final int MESSAGE_TAIL = 1_000;
    private static final Logger log = LoggerFactory.getLogger(RunCommandHandler.class);

    @Override
    public RunCommandOutput run(RunCommandInput input, TaskContext context) throws Exception {
        List<String> line = new ArrayList<>();
        line.add(command.executable());
        for (String arg : command.args()) {
            line.add(expand(arg, input));
        }
        for (String arg : input.getArgs()) {
            line.add(expand(arg, input));
        }
        Map<String, String> environment = new LinkedHashMap<>(command.environment());
        input.getEnv().forEach(environment::put);
        CommandRunner.Result result;
        try {
            result = CommandRunner.run(line, command.workingDir(), environment, command.inheritEnvironment(),
                    command.timeout(), command.maxOutput(), context::cancelled);
        } catch (IOException e) {
            throw new TaskFailedException("command-not-started", "%s could not start: %s".formatted(line.get(0),
                    e.getMessage()), false, e);
        }
        log.info("{} for job {}: {} ended {} after {} ms", taskType, context.jobId(), line.get(0),
                result.timedOut() ? "by timeout" : result.cancelled() ? "by cancellation" : "with exit " + result.exitCode(),
                result.elapsedMs());
        if (result.cancelled()) {
            return null;
        }
        if (result.timedOut()) {
            throw new TaskFailedException(TIMEOUT, "%s was killed after %s%s".formatted(line.get(0), command.timeout(),
                    stderrTail(result)), true);
        }
        if (result.exitCode() != 0) {
            throw new TaskFailedException("exit-" + result.exitCode(), "%s exited with %d%s".formatted(line.get(0),
                    result.exitCode(), stderrTail(result)), command.retryExitCodes());
        }
        return RunCommandOutput.newBuilder().setCommand(line).setExitCode(result.exitCode())
                .setStdout(result.stdout()).setStderr(result.stderr()).setStdoutTruncated(result.stdoutTruncated())
                .setStderrTruncated(result.stderrTruncated()).setElapsedMs(result.elapsedMs()).build();
    }

    /** {@code text} with each {@code ${input.jobId}}, {@code ${input.pipeline}}, {@code ${input.params.<name>}} replaced. */
    static String expand(String text, RunCommandInput input) {
        Matcher matcher = PLACEHOLDER.matcher(text);
        StringBuilder expanded = new StringBuilder();
        while (matcher.find()) {
            String path = matcher.group(1);
            String value;
            if (path.equals("jobId")) {
                value = input.getJobId();
            } else if (path.equals("pipeline")) {
                value = input.getPipeline();
            } else if (path.startsWith("params.")) {
                value = input.getParams().get(path.substring("params.".length()));
            } else {
                throw new TaskFailedException("bad-input", "unknown placeholder ${input.%s} in '%s' (known: jobId, pipeline, params.<name>)"
                        .formatted(path, text), false);
            }
            if (value == null) {
                throw new TaskFailedException("bad-input", "placeholder ${input.%s} in '%s' has no value in the task input"
                        .formatted(path, text), false);
            }
            matcher.appendReplacement(expanded, Matcher.quoteReplacement(value));
        }
        matcher.appendTail(expanded);
        return expanded.toString();
    }

    private static String stderrTail(CommandRunner.Result result) {
        String stderr = result.stderr().strip();
        if (stderr.isEmpty()) {
            return "";
        }
        return "; stderr ends: " + (stderr.length() <= MESSAGE_TAIL ? stderr : "…" + stderr.substring(stderr.length() - MESSAGE_TAIL));
    }
}
