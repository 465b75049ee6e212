package io.clymene.transport.kafka;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Mutated and truncated records of every encoding give a batch or a RecordDecodeException from a real
 * check, never another exception (nor one the decoder's last-resort catch had to wrap).
 */
class MalformedRecordsTest {

  @Test
  void mutationsNeverThrowAnythingButRecordDecodeException() {
    Random random = new Random(42);
    for (KafkaEncoding encoding : KafkaEncoding.values()) {
      byte[] valid = new KafkaRecordEncoder(encoding).encode(TestBatches.mixed());
      KafkaRecordDecoder decoder = new KafkaRecordDecoder(encoding, 1 << 16);
      for (int round = 0; round < 1500; round++) {
        byte[] v = round % 3 == 0 ? Arrays.copyOf(valid, random.nextInt(valid.length + 1)) : valid.clone();
        for (int k = 1 + random.nextInt(3); k > 0 && v.length > 0; k--) {
          v[random.nextInt(v.length)] = (byte) random.nextInt(256);
        }
        byte[] input = v;
        assertThatCode(() -> {
          try {
            decoder.decode(input);
          } catch (RecordDecodeException expected) {
            // a poison record; but not a decoder bug that the decoder's safety net turned into one
            if (expected.getMessage().contains("unexpected java.")) {
              throw new AssertionError(expected.getMessage());
            }
          }
        }).as("%s %s", encoding, Arrays.toString(input)).doesNotThrowAnyException();
      }
    }
  }
}
