"""The search stage: a client-side index per language, read by templates/static/search.js.

terms.py   what the index holds of a text (jieba words, bigrams, stemmed English)
index.py   the index files, brought up to date article by article
"""
