package io.clymene.agent.discovery.kubernetes;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/** Informer event handlers. */
final class Handlers {
  private Handlers() {
  }

  /** Runs {@code action} with the new state of each added, changed or deleted object. */
  static <T> ResourceEventHandler<T> onChange(Consumer<T> action) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        action.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        action.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean finalStateUnknown) {
        action.accept(obj);
      }
    };
  }

  /** Runs {@code action} after each successful (re)list. */
  static <T> ResourceEventHandler<T> onList(Runnable action) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
      }

      @Override
      public void onDelete(T obj, boolean finalStateUnknown) {
      }

      @Override
      public void onList(String resourceVersion, boolean changed) {
        action.run();
      }
    };
  }
}
