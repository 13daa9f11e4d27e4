package io.tally.common.web;

import org.apache.catalina.Container;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Makes every error of a Tally web service {@code application/problem+json}, wherever it is raised: in a controller
 * ({@link ProblemDetailsAdvice}), at {@code /error} ({@link ProblemErrorController} instead of Boot's HTML-capable
 * {@code BasicErrorController}), in Spring Security's firewall ({@link FirewallRejectionHandler}) and in Tomcat
 * before any servlet ({@link ProblemErrorReportValve} instead of Tomcat's HTML error report).
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration",
        "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ProblemWebAutoConfiguration {

    /** Boot's own problem-details advice backs off when this one exists. */
    @Bean
    @ConditionalOnMissingBean(ResponseEntityExceptionHandler.class)
    ProblemDetailsAdvice problemDetailsAdvice() {
        return new ProblemDetailsAdvice();
    }

    /** Boot's {@code BasicErrorController} backs off when an {@link ErrorController} exists. */
    @Bean
    @ConditionalOnMissingBean(ErrorController.class)
    ProblemErrorController problemErrorController() {
        return new ProblemErrorController();
    }

    /** Spring Security picks up a {@link RequestRejectedHandler} bean for its firewall. */
    @Bean
    @ConditionalOnClass(RequestRejectedHandler.class)
    @ConditionalOnMissingBean(RequestRejectedHandler.class)
    FirewallRejectionHandler firewallRejectionHandler() {
        return new FirewallRejectionHandler();
    }

    /** Tomcat's error report valve, swapped for the problem+json one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Tomcat.class)
    static class TomcatErrorReport {

        @Bean
        WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> problemErrorReportValve() {
            return new ValveCustomizer();
        }
    }

    /**
     * Runs last, so that a valve Boot added for {@code server.error.*} is already in the host's pipeline and can be
     * replaced; naming the class on the host stops Tomcat from adding its default one when it starts.
     */
    static final class ValveCustomizer implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {

        @Override
        public void customize(ConfigurableTomcatWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                Container parent = context.getParent();
                if (parent instanceof StandardHost host) {
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                    host.getPipeline().addValve(new ProblemErrorReportValve());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
