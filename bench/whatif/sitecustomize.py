"""What-if experiments for the benchmark (never used by `make bench` or by Ally itself).

`bench/run_bench.py --ally-what-if cached_schema` and
`bench/profile_components.py --what-if cached_schema` put this folder on
PYTHONPATH, so Python runs this file at start-up in Ally's server processes.

cached_schema: Rasa 3.6 checks every custom action's answer with
`jsonschema.validate(answer, RemoteAction.action_response_format_spec())`.
`jsonschema.validate` first validates the *schema itself* against the JSON
Schema meta-schema, on every call: about 20 ms of CPU per custom action call
on this machine, far more than the HTTP round trip. This experiment validates
the answer against the same schema with a validator built once, which is what
`jsonschema.validate` does after its schema check; invalid answers still
raise the same `ValidationError`.

inference_load: Rasa 3.6 loads every TensorFlow model (Ally: DIET) by first
running one *training* step on a stored example (`RasaModel.load`: compile,
`fit` on one batch "to build weights of the correct size"), then loading the
weights, then one prediction. Tracing the training step (gradients, CRF,
optimizer) is what makes loading slow and the server large. This experiment
builds the model with the prediction step instead, loads the trained weights
(optimizer slots are skipped) and traces prediction again with them.
Predictions are bit-identical (checked on 398 messages: intents, the full
intent ranking with confidences, entities). Fine-tuning still uses Rasa's
own load.

no_jax: TensorFlow 2.12 imports jax (a declared dependency) only for an
optional TFLite converter, `try: from jax import ... except ImportError`.
Blocking the import keeps jax and jaxlib out of the server process.
"""
import os
import sys

if "no_jax" in os.environ.get("ALLY_WHAT_IF", "").split(","):
    sys.modules["jax"] = None  # `import jax` now raises ImportError

if "cached_schema" in os.environ.get("ALLY_WHAT_IF", "").split(","):
    import jsonschema
    from jsonschema import exceptions, validators

    _original_validate = jsonschema.validate
    _cache: dict = {}

    def _response_spec():
        if "spec" not in _cache:
            from rasa.core.actions.action import RemoteAction

            spec = RemoteAction.action_response_format_spec()
            _cache["spec"] = spec
            _cache["validator"] = validators.validator_for(spec)(spec)
        return _cache["spec"]

    def validate(instance, schema, cls=None, *args, **kwargs):
        if cls is None and not args and not kwargs and schema == _response_spec():
            error = exceptions.best_match(_cache["validator"].iter_errors(instance))
            if error is not None:
                raise error
            return None
        return _original_validate(instance, schema, cls, *args, **kwargs)

    jsonschema.validate = validate


def _patch_inference_load(module) -> None:
    import tensorflow as tf

    RasaModel = module.RasaModel
    original = RasaModel.__dict__["load"].__func__

    def load(cls, model_file_name, model_data_example, predict_data_example=None, finetune_mode=False,
             *args, **kwargs):
        if finetune_mode or predict_data_example is None:
            return original(cls, model_file_name, model_data_example, predict_data_example, finetune_mode,
                            *args, **kwargs)
        config = kwargs.get("config", {})
        model = cls(*args, **kwargs)
        model.compile(optimizer=tf.keras.optimizers.Adam(config.get("learning_rate", 0.001)),
                      run_eagerly=config.get("run_eagerly"))
        model.run_inference(predict_data_example)  # creates the variables prediction uses
        model.load_weights(model_file_name).expect_partial()  # trained values; optimizer slots skipped
        model.prepared_for_prediction = False  # label embeddings again, from the trained weights
        model._tf_predict_step = None  # and a prediction graph traced with them
        model.run_inference(predict_data_example)
        return model

    RasaModel.load = classmethod(load)


if "inference_load" in os.environ.get("ALLY_WHAT_IF", "").split(","):
    import importlib.abc
    import importlib.machinery

    class _PatchAfterImport(importlib.abc.MetaPathFinder):
        target = "rasa.utils.tensorflow.models"

        def find_spec(self, name, path, target=None):
            if name != self.target:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            exec_module = spec.loader.exec_module

            def exec_and_patch(module):
                exec_module(module)
                _patch_inference_load(module)

            spec.loader.exec_module = exec_and_patch
            return spec

    sys.meta_path.insert(0, _PatchAfterImport())
