package io.tally.jobsapi.security;

import io.tally.common.security.ApiAccessRules;
import io.tally.common.security.ApiKeys;
import io.tally.common.security.ApiSecurityProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The jobs API's own additions to the shared security of tally-common ({@code ApiSecurityAutoConfiguration}: API
 * keys or JWTs, {@code /api/admin/**} for ADMIN, problem+json 401/403, stateless): the OpenAPI document and Swagger
 * UI are public, and GETs of jobs are public with {@code open-reads}.
 * <p>
 * The dashboard under {@value #UI} has its own chain, matched first: browsers cannot put {@code X-API-Key} on a
 * navigation, so a login form exchanges an API key for a session cookie ({@code HttpOnly}, {@code SameSite=Strict}),
 * and every state-changing form carries a CSRF token. The same keys and roles apply: dead letters need ADMIN.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    /** Path prefix of the dashboard. */
    static final String UI = "/ui";

    @Bean
    ApiAccessRules jobsApiAccessRules() {
        return (requests, properties) -> {
            requests.requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                    .permitAll();
            requests.requestMatchers(HttpMethod.DELETE, "/api/workers/**")
                    .hasRole(ApiSecurityProperties.Role.ADMIN.name());
            if (properties.openReads()) {
                requests.requestMatchers(HttpMethod.GET, "/api/jobs", "/api/jobs/**").permitAll();
                requests.requestMatchers(HttpMethod.GET, "/api/workers", "/api/workers/**").permitAll();
            }
        };
    }

    @Bean
    @Order(1)
    SecurityFilterChain dashboardSecurity(HttpSecurity http, ApiKeys keys) throws Exception {
        http.securityMatcher(UI, UI + "/**")
                .authenticationProvider(new ApiKeyLoginProvider(keys))
                .formLogin(form -> form.loginPage(UI + "/login").passwordParameter("apiKey")
                        .defaultSuccessUrl(UI, false).permitAll())
                .logout(logout -> logout.logoutUrl(UI + "/logout").logoutSuccessUrl(UI + "/login?logout").permitAll())
                .httpBasic(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
                .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(
                        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                + "frame-ancestors 'none'; form-action 'self'")))
                .authorizeHttpRequests(requests -> {
                    requests.requestMatchers(UI + "/assets/**").permitAll();
                    requests.requestMatchers(UI + "/dead-letters", UI + "/dead-letters/**")
                            .hasRole(ApiSecurityProperties.Role.ADMIN.name());
                    requests.anyRequest().authenticated();
                });
        return http.build();
    }
}
