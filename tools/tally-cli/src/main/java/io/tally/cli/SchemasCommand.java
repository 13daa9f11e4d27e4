package io.tally.cli;

import io.tally.common.kafka.AvroSerdes;
import io.tally.common.topics.Topics;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tally schemas register}: registers every contract of the topic catalogue, as a deployment does before it
 * starts services with {@code tally.kafka.auto-register-schemas=false} (docs/adr/0011-contracts-registered-before-producers.md).
 */
@Command(name = "schemas", mixinStandardHelpOptions = true,
        description = "Registers the Avro contract of every catalogue topic (<topic>-value) in the schema registry, as"
                + " the services' serializers would; run it at deploy time, then the services need not register.",
        subcommands = SchemasCommand.Register.class)
public class SchemasCommand implements Runnable {

    @Spec
    CommandSpec spec;

    /** Without a subcommand there is nothing to do, so show what there is. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code tally schemas register --registry-url URL}. */
    @Command(name = "register", mixinStandardHelpOptions = true,
            description = "Registers every contract; already registered ones are left as they are.")
    static final class Register implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--registry-url", required = true, paramLabel = "URL",
                description = "The Apicurio API the services use (tally.kafka.registry-url), e.g."
                        + " http://registry:8080/apis/registry/v3.")
        String registryUrl;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            List<String> artifacts = AvroSerdes.forRegistry(registryUrl, false).registerContracts(Topics.ALL);
            out.println("Registered " + artifacts.size() + " contracts in " + registryUrl + ": "
                    + String.join(", ", artifacts));
            return 0;
        }
    }
}
