"""Text helpers every stage uses.

chars.py     character classes, defined once: Han, CJK punctuation, full-width forms
chinese.py   Chinese text: OpenCC t2s, pinyin annotations, mojibake, jieba words
decoding.py  raw bytes -> text, whatever encoding a scraper saved
markdown.py  Markdown -> HTML and plain text (markdown-it-py, raw HTML off)
"""
