package io.clymene.storage;

import io.clymene.config.Schema.ObjectSchema;

/**
 * A storage backend type, found through {@link java.util.ServiceLoader}. Each backend is one package
 * that implements this interface; nothing else needs to know it.
 */
public interface StorageProvider {

  /** The {@code type} of its storage entries, e.g. {@code prometheus}. */
  String type();

  /** The keys of its entries besides the common ones; unknown keys are rejected at load. */
  ObjectSchema schema();

  /** Queue defaults for this backend, before the entry's own {@code queue} settings. */
  default QueueOptions defaultQueueOptions() {
    return new QueueOptions();
  }

  /**
   * Checks an entry beyond its schema (e.g. a required url) without starting anything.
   *
   * @throws io.clymene.config.ConfigException naming the key
   */
  default void check(StorageEntry entry) {
  }

  /** Creates the writer of an entry; nothing is started yet. */
  StorageWriter create(WriterContext context, StorageEntry entry);
}
