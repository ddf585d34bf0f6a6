"""The Streamlit app's pages. They only render what the engine decides (reports, placement,
routine results, uploads, history); ``app.py`` at the repository root is the door in."""
