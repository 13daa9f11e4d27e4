package io.tally.command;

import io.tally.tasks.command.RunCommandInput;
import io.tally.tasks.command.RunCommandOutput;
import io.tally.worker.TaskHandler;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import java.util.Map;

/**
 * Declares one {@link TaskHandler} bean per {@code tally.command.tasks.<type>} before the auto-configurations are
 * evaluated (the worker SDK's is conditional on a handler bean). Only the task types are read here; each handler
 * takes its command from the validated {@link CommandProperties} bean when it is created.
 */
class CommandTaskRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

    private Environment environment;
    private BeanFactory beanFactory;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = environment;
    }

    @Override
    public void setBeanFactory(BeanFactory beanFactory) {
        this.beanFactory = beanFactory;
    }

    @Override
    public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
        Map<String, Object> tasks = Binder.get(environment)
                .bind("tally.command.tasks", Bindable.mapOf(String.class, Object.class)).orElse(Map.of());
        for (String type : tasks.keySet()) {
            RootBeanDefinition handler = new RootBeanDefinition(TaskHandler.class, () -> handler(type));
            registry.registerBeanDefinition("commandTask-" + type, handler);
        }
    }

    private TaskHandler<RunCommandInput, RunCommandOutput> handler(String type) {
        CommandProperties.Command command = beanFactory.getBean(CommandProperties.class).tasks().get(type);
        return TaskHandler.of(type, RunCommandInput.class, RunCommandOutput.class, new RunCommandHandler(type, command));
    }
}
