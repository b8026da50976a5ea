package org.taskgrid.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limits of taskgrid.json reach every mapper made after the node's config is loaded, JSON and
 * CBOR alike (Akka's CBOR mapper is made that way, when the actor system starts).
 */
class JsonLimitsTest {

  @AfterEach
  void restoreTheDefaults() {
    NodeConfig.load(Map.of(), ConfigFactory.empty());
  }

  @Test
  void theDefaultsComeFromReferenceConf() {
    JsonLimits limits = JsonLimits.fromConfig(NodeConfig.load(Map.of(), ConfigFactory.empty()));
    assertEquals(500, limits.maxNestingDepth());
    assertEquals(1_000_000, limits.maxTokenCount());
    assertEquals(limits.constraints().getMaxTokenCount(), StreamReadConstraints.defaults().getMaxTokenCount());
  }

  @Test
  void loadingTheConfigBoundsNewJsonAndCborMappers() throws Exception {
    NodeConfig.load(
        Map.of(), ConfigFactory.parseString("taskgrid.json { max-token-count = 10, max-nesting-depth = 3 }"));
    String many = "[1,2,3,4,5,6,7,8,9,10,11,12]";
    assertThrows(StreamConstraintsException.class, () -> new JsonMapper().readTree(many));
    CBORMapper cbor = new CBORMapper();
    byte[] encoded = new CBORMapper().writeValueAsBytes(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    assertThrows(StreamConstraintsException.class, () -> cbor.readTree(encoded));
    assertThrows(StreamConstraintsException.class, () -> new JsonMapper().readTree("[[[[1]]]]"));
  }
}
