"""The identifier contract: canonical parse of emails, phones and advertising IDs, and each platform's string.

`reference` is the definition (one value at a time, plain Python); `columns` is the whole-column implementation
the pipeline uses, which must give the same answer for every input.
"""
