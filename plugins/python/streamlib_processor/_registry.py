"""The :func:`processor` decorator and the describe output the runtime reads."""

import inspect
import re

from ._ports import Port

#: The framed stdio protocol version this package speaks (docs/python_processors.md).
PROTOCOL_VERSION = 2

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REGISTERED = {}


class ProcessorSpec:
    """What :func:`processor` records about a class."""

    def __init__(self, cls, name, description, tags, inputs, outputs, config, required,
                 period_ms):
        self.cls = cls
        self.name = name
        self.description = description
        self.tags = tags
        self.inputs = inputs
        self.outputs = outputs
        self.config = config
        self.required = required
        self.period_ms = period_ms

    def to_json(self):
        schema = {"type": "object", "properties": self.config, "additionalProperties": False}
        if self.required:
            schema["required"] = list(self.required)
        return {
            "name": self.name,
            "description": self.description,
            "tags": list(self.tags),
            "inputs": [port.to_json(n, "input") for n, port in self.inputs.items()],
            "outputs": [port.to_json(n, "output") for n, port in self.outputs.items()],
            "config": schema,
            "periodMs": self.period_ms,
            "module": self.cls.__module__,
            "class": self.cls.__qualname__,
        }


def _ports(ports, what, name):
    if not isinstance(ports, dict):
        raise TypeError("@processor %s: %s must be a dict of name -> audio()/video()/data()" % (name, what))
    for port, spec in ports.items():
        if not isinstance(port, str) or not _NAME.match(port):
            raise ValueError("@processor %s: %s port name %r is not an identifier" % (name, what, port))
        if not isinstance(spec, Port):
            raise TypeError(
                "@processor %s: %s port %r must be audio(), video() or data(), not %r"
                % (name, what, port, spec)
            )
    return dict(ports)


def processor(name=None, description=None, tags=(), inputs=None, outputs=None, config=None,
              required=(), period_ms=None):
    """Registers the decorated class as a streamlib processor.

    ``inputs`` and ``outputs`` map port names to :func:`audio`, :func:`video` or :func:`data`;
    ``config`` maps config field names to JSON Schema (``{"type": "number", "default": 1}``),
    and ``required`` lists the fields without a default that must be given. A processor with
    no inputs is a source: the runtime calls it every ``period_ms`` milliseconds (required
    then). The class may define ``setup(self)`` and ``teardown(self)``; it must define
    ``process(self, frames)``, which gets a dict of the frames that arrived (by input port; a
    source gets ``{}``) and returns a dict of output port -> frame (or a list of frames), or
    ``None`` for no output. ``self.config`` holds the config, defaults filled in, before
    ``setup`` runs.
    """

    def register(cls):
        if not inspect.isclass(cls):
            raise TypeError("@processor decorates a class, not %r" % (cls,))
        processor_name = name or cls.__name__
        if not _NAME.match(processor_name):
            raise ValueError("@processor: name %r is not an identifier" % processor_name)
        if not callable(getattr(cls, "process", None)):
            raise TypeError("@processor %s: the class has no process(self, frames) method" % processor_name)
        ins = _ports(inputs or {}, "inputs", processor_name)
        outs = _ports(outputs or {}, "outputs", processor_name)
        if not ins and not outs:
            raise ValueError("@processor %s: it has neither inputs nor outputs" % processor_name)
        if not ins and not (isinstance(period_ms, (int, float)) and period_ms > 0):
            raise ValueError(
                "@processor %s: a source (no inputs) needs period_ms, how often it is called"
                % processor_name
            )
        fields = dict(config or {})
        for field, schema in fields.items():
            if not isinstance(schema, dict):
                raise TypeError("@processor %s: config field %r must be a JSON Schema dict" % (processor_name, field))
        missing = [field for field in required if field not in fields]
        if missing:
            raise ValueError("@processor %s: required fields %s are not in config" % (processor_name, missing))
        if processor_name in _REGISTERED and _REGISTERED[processor_name].cls is not cls:
            raise ValueError("@processor %s: two classes have this name" % processor_name)
        description_text = description or inspect.getdoc(cls) or "%s, a Python processor" % processor_name
        _REGISTERED[processor_name] = ProcessorSpec(
            cls, processor_name, description_text.strip().split("\n\n")[0].replace("\n", " "),
            tuple(tags), ins, outs, fields, tuple(required),
            period_ms if not ins else None,
        )
        cls.streamlib_processor = processor_name
        return cls

    return register


def registered():
    """The registered processors, by name."""
    return dict(_REGISTERED)


def describe():
    """The describe document: the protocol version and every registered processor."""
    return {
        "protocol": PROTOCOL_VERSION,
        "processors": [spec.to_json() for spec in _REGISTERED.values()],
    }
