package org.opioidpaincds.hapitest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.context.PropertyPlaceholderAutoConfiguration;
import org.springframework.boot.autoconfigure.web.servlet.ServletWebServerFactoryAutoConfiguration;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Entry point: an embedded Tomcat serving a HAPI FHIR R4 JPA server at /fhir (see {@link FhirServerConfig}).
 * Only the two Spring Boot auto-configurations it needs (web server and property placeholders) are used, so that
 * nothing else (data source, JPA, scheduling) is configured behind the test settings' back.
 * Options: --server.port=N (default 8080), --server.address=127.0.0.1.
 */
@Configuration
@Import({
	PropertyPlaceholderAutoConfiguration.class,
	ServletWebServerFactoryAutoConfiguration.class,
	FhirServerConfig.class,
})
public class HapiTestServer {
	private static final Logger LOG = LoggerFactory.getLogger(HapiTestServer.class);

	public static void main(String[] args) {
		SpringApplication.run(HapiTestServer.class, args);
	}

	@Bean
	public ApplicationListener<WebServerInitializedEvent> announceStart() {
		return event -> LOG.info(
				"HAPI FHIR test server ready: FHIR R4 base /fhir on port {}",
				event.getWebServer().getPort());
	}
}
