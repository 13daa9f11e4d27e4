package io.tally.common.security;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtGrantedAuthoritiesConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;

/**
 * The HTTP security of every Tally web service, the jobs API's rules made common (see ADR 0010): probes, info and the
 * Prometheus endpoint are public; {@code /api/admin/**} needs ADMIN; everything else needs an authenticated caller,
 * unless the service's {@link ApiAccessRules} open a read. Callers authenticate with {@code X-API-Key} (keys from
 * {@code tally.api.security.api-keys}), or with a bearer JWT when Spring Boot configured a {@link JwtDecoder}
 * ({@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code jwk-set-uri}), roles from
 * {@code tally.api.security.roles-claim}. 401 and 403 are problem+json. Stateless: no session, no CSRF token (no
 * cookies are issued, so there is nothing for CSRF to ride on). A service may add chains of its own with a
 * {@code securityMatcher} and a lower order (the jobs API's dashboard does); this one matches every other request.
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
        "org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration",
        "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web."
                + "OAuth2ResourceServerWebSecurityAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(ApiSecurityProperties.class)
@EnableWebSecurity
public class ApiSecurityAutoConfiguration {

    /** Order of the shared chain: after any chain a service scopes to its own paths. */
    public static final int API_CHAIN_ORDER = Ordered.LOWEST_PRECEDENCE - 100;

    @Bean
    @ConditionalOnMissingBean
    ApiKeys apiKeys(ApiSecurityProperties properties) {
        return new ApiKeys(properties.apiKeys());
    }

    @Bean
    @ConditionalOnMissingBean
    ProblemSecurityHandlers problemSecurityHandlers() {
        return new ProblemSecurityHandlers();
    }

    @Bean
    @Order(API_CHAIN_ORDER)
    SecurityFilterChain tallyApiSecurity(HttpSecurity http, ApiSecurityProperties properties, ApiKeys apiKeys,
            ProblemSecurityHandlers problems, ObjectProvider<ApiAccessRules> serviceRules,
            ObjectProvider<JwtDecoder> jwtDecoder) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(errors -> errors.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .addFilterBefore(new ApiKeyAuthenticationFilter(apiKeys, problems), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(requests -> {
                    requests.requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/info",
                            "/actuator/prometheus").permitAll();
                    // Errors are rendered on /error after the original request was already authorized or refused.
                    requests.requestMatchers("/error").permitAll();
                    serviceRules.orderedStream().forEach(rules -> rules.configure(requests, properties));
                    requests.requestMatchers("/api/admin/**").hasRole(ApiSecurityProperties.Role.ADMIN.name());
                    requests.anyRequest().authenticated();
                });
        JwtDecoder decoder = jwtDecoder.getIfAvailable();
        if (decoder != null) {
            http.oauth2ResourceServer(server -> server
                    .authenticationEntryPoint(problems)
                    .accessDeniedHandler(problems)
                    .jwt(jwt -> jwt.decoder(decoder).jwtAuthenticationConverter(rolesFrom(properties.rolesClaim()))));
        }
        return http.build();
    }

    private static JwtAuthenticationConverter rolesFrom(String claim) {
        JwtGrantedAuthoritiesConverter authorities = new JwtGrantedAuthoritiesConverter();
        authorities.setAuthoritiesClaimName(claim);
        authorities.setAuthorityPrefix("ROLE_");
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(authorities);
        return converter;
    }
}
