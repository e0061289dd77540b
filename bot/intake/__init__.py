"""The questionnaire core: form model, conditions, answers and the step engine.

Nothing here knows about Telegram, databases or files: the engine is a pure function of the form,
the draft and one input.
"""
