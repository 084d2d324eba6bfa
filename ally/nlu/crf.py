"""Rasa's CRF entity extractor, stored as its trained model rather than as its training data.

Rasa 3.6's `CRFEntityExtractor` persists the featurised training set and trains the CRF again every
time a model is loaded: with the examples of eight languages (about 40,000) each server start spent
26 seconds and some 300 MB on it, in every replica. This subclass stores each trained crfsuite model
(the tagger's own binary file) and opens it from memory at load: the same tagger, no training at start.
"""

import logging
from collections import OrderedDict
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken
from rasa.shared.utils.io import dump_obj_as_json_to_file, read_json_file

logger = logging.getLogger(__name__)

ORDER_FILE = "crf_order.json"


def model_file(tag_name: str) -> str:
    return f"crf_{tag_name}.crfsuite"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class StoredCRFEntityExtractor(CRFEntityExtractor):
    def persist(self, dataset: List[List[CRFToken]]) -> None:
        """The trained taggers' model files (Rasa's own persist keeps the dataset instead)."""
        with self._model_storage.write_to(self._resource) as directory:
            dump_obj_as_json_to_file(directory / ORDER_FILE, self.crf_order)
            for tag_name, tagger in self.entity_taggers.items():
                with open(tagger.modelfile.name, "rb") as trained:
                    (directory / model_file(tag_name)).write_bytes(trained.read())

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "StoredCRFEntityExtractor":
        import pycrfsuite
        import sklearn_crfsuite

        try:
            with model_storage.read_from(resource) as directory:
                crf_order = read_json_file(directory / ORDER_FILE)
                taggers = OrderedDict()
                for tag_name in crf_order:
                    model = (directory / model_file(tag_name)).read_bytes()
                    tagger = pycrfsuite.Tagger()
                    tagger.open_inmemory(model)  # crfsuite reads the buffer in place: it must stay alive
                    crf = sklearn_crfsuite.CRF()
                    crf._tagger, crf.ally_model = tagger, model  # _tagger: what CRF.tagger_ opens from a file
                    taggers[tag_name] = crf
        except ValueError:
            logger.warning(f"Failed to load {cls.__name__} from model storage: resource '{resource.name}' is missing.")
            return cls(config, model_storage, resource)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        return extractor
