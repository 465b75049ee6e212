package io.clymene.storage.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.clymene.config.ConfigException;
import io.clymene.storage.StorageEntry;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys of a postgresql entry: url forms and errors, password(_file), schema names, tls and timeout mapping. */
class PostgresSettingsTest {
  private final PostgresStorageProvider provider = new PostgresStorageProvider();

  private StorageEntry entry(JsonObject json) {
    return StorageEntry.from(json.put("type", "postgresql"), "storage[2]", "pg", provider.defaultQueueOptions());
  }

  private PostgresSettings settings(JsonObject json) {
    return PostgresSettings.from(entry(json));
  }

  @Test
  void urlBecomesAJdbcUrlWithUserAndDriverProperties() throws Exception {
    PostgresSettings s = settings(new JsonObject().put("url", "postgresql://clymene@db.example:6543/metrics?sslmode=disable")
        .put("timeout", "7s"));
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:6543/metrics?sslmode=disable");
    assertThat(s.user()).isEqualTo("clymene");
    assertThat(s.schema()).isEqualTo("clymene");
    Properties p = s.connectionProperties();
    assertThat(p.getProperty("user")).isEqualTo("clymene");
    assertThat(p.getProperty("password")).isNull();
    assertThat(p.getProperty("connectTimeout")).isEqualTo("7");
    assertThat(p.getProperty("socketTimeout")).isEqualTo("7");
    assertThat(p.getProperty("ApplicationName")).isEqualTo("clymene");
  }

  @Test
  void defaultsPortAndDatabaseAsLibpqDoes() {
    PostgresSettings s = settings(new JsonObject().put("url", "postgres://writer@127.0.0.1"));
    assertThat(s.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/writer");
    assertThat(settings(new JsonObject().put("url", "postgresql://u@[::1]:5433/d")).jdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5433/d");
  }

  @Test
  void badUrlsAndKeysNameTheKey() {
    for (String url : new String[] {"http://u@h/db", "postgresql:///db", "not a url", "postgresql://h/db"}) {
      assertThatThrownBy(() -> provider.check(entry(new JsonObject().put("url", url))))
          .isInstanceOf(ConfigException.class).hasMessageStartingWith("storage[2].url: ");
    }
    assertThatThrownBy(() -> provider.check(entry(new JsonObject())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("storage[2].url: missing");
    assertThatThrownBy(() -> provider.check(entry(new JsonObject().put("url", "postgresql://u:secret@h/db"))))
        .isInstanceOf(ConfigException.class).hasMessageContaining("password or password_file")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(() -> provider.check(entry(new JsonObject().put("url", "postgresql://u@h/db")
        .put("password", "a").put("password_file", "/f")))).hasMessageContaining("storage[2].password_file");
    assertThatThrownBy(() -> provider.check(entry(new JsonObject().put("url", "postgresql://u@h/db")
        .put("schema", "Metrics; DROP")))).hasMessageContaining("storage[2].schema");
  }

  @Test
  void passwordFileIsReadForEachConnectionAndNeverShown(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("pw");
    Files.writeString(f, "first\n");
    PostgresSettings s = settings(new JsonObject().put("url", "postgresql://u@h/db").put("password_file", f.toString()));
    assertThat(s.connectionProperties().getProperty("password")).isEqualTo("first");
    Files.writeString(f, "rotated");
    assertThat(s.connectionProperties().getProperty("password")).isEqualTo("rotated");
    PostgresSettings inline = settings(new JsonObject().put("url", "postgresql://u@h/db").put("password", "hunter2"));
    assertThat(inline.connectionProperties().getProperty("password")).isEqualTo("hunter2");
    assertThat(inline.toString()).doesNotContain("hunter2").contains("password set");
    assertThat(inline.publicProperties()).doesNotContainKey("password");
  }

  @Test
  void tlsMapsToSslmodeAndCertificateFiles() {
    Properties verify = settings(new JsonObject().put("url", "postgresql://u@h/db").put("tls", new JsonObject()
        .put("ca_file", "/ca.pem").put("cert_file", "/c.pem").put("key_file", "/k.pk8"))).publicProperties();
    assertThat(verify).containsEntry("sslmode", "verify-full").containsEntry("sslrootcert", "/ca.pem")
        .containsEntry("sslcert", "/c.pem").containsEntry("sslkey", "/k.pk8").doesNotContainKey("sslfactory");
    Properties javaTrust = settings(new JsonObject().put("url", "postgresql://u@h/db").put("tls", new JsonObject()))
        .publicProperties();
    assertThat(javaTrust).containsEntry("sslmode", "verify-full")
        .containsEntry("sslfactory", "org.postgresql.ssl.DefaultJavaSSLFactory");
    Properties insecure = settings(new JsonObject().put("url", "postgresql://u@h/db")
        .put("tls", new JsonObject().put("insecure_skip_verify", true))).publicProperties();
    assertThat(insecure).containsEntry("sslmode", "require")
        .containsEntry("sslfactory", "org.postgresql.ssl.NonValidatingFactory");
    assertThat(settings(new JsonObject().put("url", "postgresql://u@h/db")).publicProperties())
        .doesNotContainKey("sslmode");
  }
}
